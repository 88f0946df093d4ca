"""launch_ros actions for session_graph's nodes: what the launch files start. Imported only by
them (the launch system exists on a ROS 2 distribution, not on the PyPI wheels)."""

from __future__ import annotations

import os
from pathlib import Path

from launch.actions import ExecuteProcess, LogInfo, SetEnvironmentVariable, Shutdown
from launch_ros.actions import Node

from squat_bringup.graph import NodeLaunch, config_file, rviz_config
from squat_bringup.session_graph import RECORDER, ros2_bag_record

PROFILE_VARIABLE = "FASTRTPS_DEFAULT_PROFILES_FILE"


def session_actions(nodes: list[NodeLaunch], notes: list[str], params_file: str) -> list:
    """The Fast DDS profile (unless one is set), the notes as log lines, and a Node action per
    node with the parameters file first and this session's values over it."""
    actions: list = []
    if PROFILE_VARIABLE not in os.environ:
        # The default shared-memory segment is smaller than one image (scripts/env.sh sets
        # the same profile for coach run).
        actions.append(SetEnvironmentVariable(PROFILE_VARIABLE, str(config_file("fastdds.xml"))))
    actions += [LogInfo(msg=f"[squat coach] {note}") for note in notes]
    for node in nodes:
        if (node.package, node.executable) == RECORDER:
            # On a ROS 2 machine the session is recorded by rosbag2 itself.
            actions.append(ExecuteProcess(
                cmd=ros2_bag_record(Path(node.parameters["bag_path"])), output="screen"))
            continue
        actions.append(Node(package=node.package, executable=node.executable,
                            namespace=node.namespace or None,
                            parameters=[params_file, node.parameters], output="screen"))
    return actions


def rviz_action() -> Node:
    """RViz with squat coach's configuration (the overlays, the skeleton, the cameras)."""
    return Node(package="rviz2", executable="rviz2", arguments=["-d", str(rviz_config())],
                output="screen")


def rqt_action() -> Node:
    """rqt with the trainer plugin alone (squat_rqt)."""
    return Node(package="rqt_gui", executable="rqt_gui",
                arguments=["--standalone", "squat_rqt"], output="screen")


def refusal(reason: str) -> list:
    """What a launch file does with arguments it cannot start: say why and stop."""
    return [LogInfo(msg=f"[squat coach] {reason}"), Shutdown(reason=reason)]


def optional_path(text: str) -> Path | None:
    """A launch argument that names a path, or '' for none."""
    return Path(text) if text else None
