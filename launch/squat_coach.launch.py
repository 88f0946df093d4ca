"""Start squat coach: the two cameras, the pose node and the feedback node, from the graph file.

    ros2 launch squat_bringup squat_coach.launch.py [front:=/dev/video0] [side:=video.mp4]
        [reference:=coach.json] [record:=bag_dir] [speak:=true] [calibration:=rig.yaml]
        [language:=ko|en]
        [params_file:=my.params.yaml] [rviz:=true] [rqt:=true]

A camera not given, 'virtual', or not found shows the virtual athlete (the log says so). The
nodes and their parameters come from squat_bringup.session_graph, which `scripts/coach run`
uses too; a recorded session is recorded by `ros2 bag record` (MCAP, the session topics).
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.conditions import IfCondition
from launch.launch_context import LaunchContext
from launch.substitutions import LaunchConfiguration

from squat_bringup.graph import default_params_file
from squat_bringup.launch_actions import (
    optional_path,
    refusal,
    rqt_action,
    rviz_action,
    session_actions,
)
from squat_bringup.session_graph import SessionGraphError, live_session


def _session(context: LaunchContext) -> list:
    def value(name: str) -> str:
        return LaunchConfiguration(name).perform(context)

    try:
        nodes, notes = live_session(value("front") or None, value("side") or None,
                                    value("reference") or None, optional_path(value("record")),
                                    speak=IfCondition(value("speak")).evaluate(context),
                                    calibration=optional_path(value("calibration")),
                                    language=value("language") or None)
    except SessionGraphError as error:
        return refusal(str(error))
    viewers = [action() for name, action in (("rviz", rviz_action), ("rqt", rqt_action))
               if IfCondition(value(name)).evaluate(context)]
    return session_actions(nodes, notes, value("params_file")) + viewers


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription([
        DeclareLaunchArgument("front", default_value="",
                              description="front camera: V4L2 device, video file, folder or "
                                          "'virtual'"),
        DeclareLaunchArgument("side", default_value="",
                              description="side camera: V4L2 device, video file, folder or "
                                          "'virtual'"),
        DeclareLaunchArgument("reference", default_value="",
                              description="reference file to score against ('none': no "
                                          "scores; empty: the built-in one)"),
        DeclareLaunchArgument("record", default_value="",
                              description="record the session to this new bag folder"),
        DeclareLaunchArgument("calibration", default_value="",
                              description="rig calibration of the front and side cameras: "
                                          "judge every fault in 3D"),
        DeclareLaunchArgument("language", default_value="",
                              description="language of the cues and the rep feedback, en or "
                                          "ko (empty: the locale's)"),
        DeclareLaunchArgument("params_file", default_value=str(default_params_file()),
                              description="ros__parameters YAML for every node"),
        DeclareLaunchArgument("speak", default_value="false",
                              description="say each rep's cue out loud (speech_node)"),
        DeclareLaunchArgument("rviz", default_value="false",
                              description="also start RViz with rviz/squat.rviz"),
        DeclareLaunchArgument("rqt", default_value="false",
                              description="also start rqt with the trainer plugin"),
        OpaqueFunction(function=_session),
    ])
