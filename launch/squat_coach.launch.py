"""Start squat coach: the two cameras, the pose node and the feedback node, from the graph file.

    ros2 launch squat_bringup squat_coach.launch.py [front_device:=/dev/video0]
        [side_device:=/dev/video2] [params_file:=my.params.yaml]

A camera not given, or not found, shows the virtual athlete (the log says so). The graph, the
parameters file and the camera choice come from squat_bringup.graph, which `scripts/coach run`
uses too.
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, LogInfo, OpaqueFunction
from launch.launch_context import LaunchContext
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from squat_bringup.graph import choose_cameras, default_graph_file, default_params_file, load_graph


def _graph(context: LaunchContext) -> list:
    devices = {view: LaunchConfiguration(f"{view}_device").perform(context) or None
               for view in ("front", "side")}
    params_file = LaunchConfiguration("params_file").perform(context)
    nodes, notes = choose_cameras(load_graph(default_graph_file()), devices)
    actions: list = [LogInfo(msg=f"[squat coach] {note}") for note in notes]
    actions += [Node(package=node.package, executable=node.executable,
                     namespace=node.namespace or None,
                     parameters=[params_file, node.parameters], output="screen")
                for node in nodes]
    return actions


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription([
        DeclareLaunchArgument("front_device", default_value="",
                              description="front camera (V4L2 device, video file or folder)"),
        DeclareLaunchArgument("side_device", default_value="",
                              description="side camera (V4L2 device, video file or folder)"),
        DeclareLaunchArgument("params_file", default_value=str(default_params_file()),
                              description="ros__parameters YAML for every node"),
        OpaqueFunction(function=_graph),
    ])
