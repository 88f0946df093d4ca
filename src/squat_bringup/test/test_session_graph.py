"""The session descriptions `coach run`, `coach replay` and the launch files start."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from rosbags.typesys import Stores, get_typestore

from squat_bringup.bag_writer import BagWriter, qos
from squat_bringup.session_graph import (
    PLAYER,
    RECORDER,
    SessionGraphError,
    live_session,
    replay_session,
)

LAUNCH = Path(__file__).resolve().parents[3] / "launch"


def by_executable(nodes) -> dict:
    return {(n.namespace, n.executable): n for n in nodes}


def test_a_live_session_without_cameras_shows_the_virtual_athlete_in_both_places():
    nodes, notes = live_session(None, "virtual")
    found = by_executable(nodes)
    assert set(found) == {("front", "virtual_camera_node"), ("side", "virtual_camera_node"),
                          ("", "pose_node"), ("", "feedback_node")}
    starts = {found[("front", "virtual_camera_node")].parameters["start_time"],
              found[("side", "virtual_camera_node")].parameters["start_time"]}
    assert len(starts) == 1, "both cameras share one start"
    assert sum("showing the virtual athlete" in note for note in notes) == 2


def test_a_recorded_session_with_a_reference_adds_the_recorder_and_sets_the_pose_node(
        tmp_path):
    nodes, _ = live_session(None, None, reference="none", record=tmp_path / "bag")
    recorder = [n for n in nodes if (n.package, n.executable) == RECORDER]
    assert [r.parameters for r in recorder] == [{"bag_path": str(tmp_path / "bag")}]
    # It stops once the nodes it records have ended.
    assert [n.executable for n in nodes if n.stops_last] == [RECORDER[1]]
    # The cameras wait for both readers of every frame: the pose node and the recorder.
    assert [n.parameters["wait_for_subscribers"] for n in nodes if n.camera] == [2, 2]
    assert by_executable(nodes)[("", "pose_node")].parameters == {
        "reference_path": "", "image_transport": "compressed"}


def test_a_calibrated_session_has_the_pose_node_judge_in_3d(tmp_path):
    from squat_common.rig_calibration import save_rig
    from squat_virtual_athlete.camera import VirtualCamera, rig_calibration

    save_rig(tmp_path / "rig.yaml",
             rig_calibration([VirtualCamera.default(v) for v in ("front", "side")]))
    nodes, _ = live_session(None, None, calibration=tmp_path / "rig.yaml")
    pose_node = by_executable(nodes)[("", "pose_node")]
    assert pose_node.parameters["calibration_path"] == str(tmp_path / "rig.yaml")
    (tmp_path / "front_only.yaml").write_text(
        (tmp_path / "rig.yaml").read_text().split("  side:")[0])
    with pytest.raises(SessionGraphError, match="no camera side"):
        live_session(None, None, calibration=tmp_path / "front_only.yaml")


def test_a_spoken_session_adds_the_speech_node():
    nodes, _ = live_session(None, None, speak=True)
    assert ("", "speech_node") in by_executable(nodes)
    assert ("", "speech_node") not in by_executable(live_session(None, None)[0])


def test_a_korean_session_sets_the_feedback_node_language_and_no_language_leaves_its_default():
    nodes = by_executable(live_session(None, None, language="ko")[0])
    assert nodes[("", "feedback_node")].parameters["language"] == "ko"
    default = by_executable(live_session(None, None)[0])
    assert "language" not in default[("", "feedback_node")].parameters


@pytest.mark.parametrize("make, reason", [
    (lambda tmp: live_session(None, None, record=tmp), "it exists"),
    (lambda tmp: live_session(None, None, record=tmp / "a" / "b"), "its folder does not exist"),
    (lambda tmp: live_session(None, None, reference=str(tmp / "none.json")), "none.json"),
    (lambda tmp: replay_session(tmp), "is not a rosbag2 bag"),
    (lambda tmp: live_session(None, None, calibration=tmp / "rig.yaml"), "rig.yaml"),
], ids=["record into a folder that exists", "record into no folder", "missing reference",
        "replay of no bag", "missing calibration"])
def test_a_session_that_cannot_be_started_says_why(tmp_path, make, reason):
    with pytest.raises(SessionGraphError, match=reason):
        make(tmp_path)


def test_a_replay_puts_the_bag_in_the_cameras_place_on_its_clock(tmp_path):
    bag = tmp_path / "bag"
    writer = BagWriter(bag)
    typestore = get_typestore(Stores.ROS2_JAZZY)
    image = typestore.types["sensor_msgs/msg/CompressedImage"]
    header = typestore.types["std_msgs/msg/Header"]
    stamp = typestore.types["builtin_interfaces/msg/Time"]
    message = image(header(stamp(1, 0), "front_optical_frame"), "jpeg", np.zeros(8, np.uint8))
    writer.add_topic("/front/image_raw/compressed", "sensor_msgs/msg/CompressedImage",
                     qos(reliable=False, latched=False))
    writer.write("/front/image_raw/compressed", 10**9,
                 typestore.serialize_cdr(message, "sensor_msgs/msg/CompressedImage"))
    writer.close()
    nodes, notes = replay_session(bag, rate=2.0)
    found = by_executable(nodes)
    assert set(found) == {("", "pose_node"), ("", "feedback_node"), ("", PLAYER[1])}
    assert found[("", PLAYER[1])].parameters == {"bag_path": str(bag), "rate": 2.0}
    assert all(found[("", name)].parameters["use_sim_time"] is True
               for name in ("pose_node", "feedback_node"))
    # The replay's pose node analyses the recorded JPEG frames, as the live one did.
    assert found[("", "pose_node")].parameters["image_transport"] == "compressed"
    assert found[("", "pose_node")].parameters["processing_queue_size"] == 100
    live = by_executable(live_session(None, None)[0])
    assert live[("", "pose_node")].parameters["image_transport"] == "compressed"
    assert notes == [f"replaying front from {bag} at 2x"]


@pytest.mark.parametrize("name, arguments", [
    ("squat_coach.launch.py", {"front", "side", "reference", "record", "params_file", "rviz",
                               "rqt", "speak", "calibration", "language"}),
    ("replay.launch.py", {"bag", "rate", "reference", "params_file", "calibration",
                          "language"}),
])
def test_the_launch_files_declare_their_arguments_and_take_the_shared_description(name,
                                                                                  arguments):
    # `launch` is not installed here: the files are read, not run (on Jazzy: ros2 launch).
    tree = ast.parse((LAUNCH / name).read_text())
    declared = {node.args[0].value for node in ast.walk(tree)
                if isinstance(node, ast.Call) and getattr(node.func, "id", "")
                == "DeclareLaunchArgument"}
    assert declared == arguments
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module == "squat_bringup.session_graph" for alias in node.names}
    assert imported & {"live_session", "replay_session"}


def test_ros2_bag_record_takes_the_session_topics_as_mcap(tmp_path):
    from squat_bringup.session_graph import ros2_bag_record
    from squat_bringup.session_topics import SESSION_TOPICS

    command = ros2_bag_record(tmp_path / "bag")
    assert command[:7] == ["ros2", "bag", "record", "--storage", "mcap", "--output",
                           str(tmp_path / "bag")]
    assert command[7:] == [topic.name for topic in SESSION_TOPICS]
