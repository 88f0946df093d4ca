"""rviz/squat.rviz (RViz cannot run here): it parses, every topic it shows is one a running
pose_node publishes, with a QoS that takes it, and every frame it names is one the cameras
use."""

from __future__ import annotations

import time

import yaml
from rclpy.qos import ReliabilityPolicy

from helpers.ros2_run import ros2_run
from squat_bringup.graph import rviz_config
from squat_common.camera_streamer import StreamSettings


def _displays(config: dict) -> list[dict]:
    return config["Visualization Manager"]["Displays"]


def test_the_rviz_config_is_installed_and_parses():
    config = yaml.safe_load(rviz_config().read_text())
    assert rviz_config().parent.parent.name == "squat_bringup"  # the installed copy
    names = {display["Class"] for display in _displays(config)}
    assert {"rviz_default_plugins/Image", "rviz_default_plugins/MarkerArray",
            "rviz_default_plugins/TF", "rviz_default_plugins/Grid"} <= names


def test_every_frame_it_names_is_the_cameras_world_frame():
    config = yaml.safe_load(rviz_config().read_text())
    world = StreamSettings().world_frame  # the parent of every camera's static transform
    assert config["Visualization Manager"]["Global Options"]["Fixed Frame"] == world
    frames = {d["Reference Frame"] for d in _displays(config) if "Reference Frame" in d}
    assert frames == {world}


def test_every_topic_it_shows_is_published_by_pose_node(spawn, listen):
    config = yaml.safe_load(rviz_config().read_text())
    shown = {d["Topic"]["Value"]: d for d in _displays(config) if "Topic" in d}
    assert len(shown) == 3
    spawn(ros2_run("squat_pose", "pose_node"))
    listener = listen([])
    published: dict[str, list[str]] = {}

    def pose_node_up() -> bool:
        published.update(dict(listener.node.get_publisher_names_and_types_by_node(
            "pose_node", "/")) if "pose_node" in listener.node.get_node_names() else {})
        return set(shown) <= set(published)

    deadline = time.monotonic() + 90
    while not pose_node_up() and time.monotonic() < deadline:
        listener.spin(0.5)
    assert set(shown) <= set(published), (sorted(shown), sorted(published))
    kinds = {"rviz_default_plugins/Image": "sensor_msgs/msg/Image",
             "rviz_default_plugins/MarkerArray": "visualization_msgs/msg/MarkerArray"}
    for topic, display in shown.items():
        assert published[topic] == [kinds[display["Class"]]], topic
        # A best-effort subscription takes both; a reliable one would miss a best-effort
        # publisher: the images are published with the sensor-data QoS.
        offered = {ReliabilityPolicy(info.qos_profile.reliability)
                   for info in listener.node.get_publishers_info_by_topic(topic)}
        if display["Topic"]["Reliability Policy"] == "Reliable":
            assert offered == {ReliabilityPolicy.RELIABLE}, (topic, offered)
