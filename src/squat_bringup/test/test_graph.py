"""The node graph file and the camera choice shared by the launch file and `coach run`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from squat_bringup.graph import (
    GraphError,
    NodeLaunch,
    choose_cameras,
    default_graph_file,
    default_params_file,
    load_graph,
    ros_arguments,
    started_at,
)


def test_the_shipped_graph_has_two_auto_cameras_pose_and_feedback():
    nodes = load_graph(default_graph_file())
    assert [(n.package, n.executable, n.namespace) for n in nodes] == [
        ("squat_camera", "camera_node", "front"), ("squat_camera", "camera_node", "side"),
        ("squat_pose", "pose_node", ""), ("squat_feedback", "feedback_node", "")]
    assert [n.camera for n in nodes] == ["front", "side", "", ""]
    assert all(not n.parameters for n in nodes), "parameters live in the parameters file"


def test_missing_or_absent_cameras_become_one_virtual_athlete_with_a_shared_start():
    nodes = load_graph(default_graph_file())
    chosen, notes = choose_cameras(nodes, {"front": "/dev/video0", "side": None},
                                   exists=lambda path: False, now_s=lambda: 100.0)
    assert [(n.package, n.executable, n.namespace) for n in chosen[:2]] == [
        ("squat_virtual_athlete", "virtual_camera_node", "front"),
        ("squat_virtual_athlete", "virtual_camera_node", "side")]
    front, side = (n.parameters for n in chosen[:2])
    assert front == side == {"start_time": 103.0}
    assert notes[0] == "front camera: /dev/video0 not found: showing the virtual athlete"
    assert notes[1] == "side camera: no camera device configured: showing the virtual athlete"
    assert "to use real cameras" in notes[2]


def test_cameras_that_exist_are_used():
    nodes = load_graph(default_graph_file())
    chosen, notes = choose_cameras(nodes, {"front": "/dev/video0", "side": "/dev/video2"},
                                   exists=lambda path: True)
    assert [n.parameters for n in chosen[:2]] == [{"video_device": "/dev/video0"},
                                                  {"video_device": "/dev/video2"}]
    assert {n.executable for n in chosen[:2]} == {"camera_node"}
    assert notes == ["front camera: /dev/video0", "side camera: /dev/video2"]


def test_a_device_index_is_a_v4l2_device_and_files_share_a_start():
    nodes = load_graph(default_graph_file())
    asked = []
    chosen, notes = choose_cameras(nodes, {"front": "0", "side": "side.mp4"},
                                   exists=lambda path: asked.append(path) or True,
                                   now_s=lambda: 50.0)
    assert asked == ["/dev/video0", "side.mp4"]
    assert [n.parameters for n in chosen[:2]] == [{"video_device": "0"},
                                                  {"video_device": "side.mp4",
                                                   "start_time": 53.0}]
    assert notes == ["front camera: 0", "side camera: side.mp4"]


def test_the_parameters_file_is_standard_ros_parameters_and_passed_first():
    data = yaml.safe_load(default_params_file().read_text())
    assert all(set(entry) == {"ros__parameters"} for entry in data.values())
    node = NodeLaunch("p", "e", "front", {"start_time": 3.0})
    assert ros_arguments(node, Path("/x/params.yaml")) == [
        "--ros-args", "--params-file", "/x/params.yaml", "-r", "__ns:=/front",
        "-p", "start_time:=3.0"]


def test_ros_arguments_write_parameters_as_yaml_values():
    node = NodeLaunch("p", "e", "front", {"flag": True, "rate": 2.5, "xyz": [1.0, 2.0],
                                          "name": "a"})
    assert ros_arguments(node) == ["--ros-args", "-r", "__ns:=/front", "-p", "flag:=true",
                                   "-p", "rate:=2.5", "-p", "xyz:=[1.0, 2.0]", "-p", "name:=a"]


def test_ros_arguments_quote_strings_yaml_would_read_as_something_else():
    node = NodeLaunch("squat_pose", "pose_node", parameters={
        "reference_path": "", "device": "0", "mode": "on", "title": "a: b", "path": "/a/b"})
    assert ros_arguments(node)[1:] == [
        "-p", "reference_path:=''", "-p", "device:='0'", "-p", "mode:='on'",
        "-p", "title:='a: b'", "-p", "path:=/a/b"]


def test_a_broken_graph_file_is_refused_with_its_path(tmp_path):
    path = tmp_path / "graph.yaml"
    path.write_text("nodes: [{package: x}]")
    with pytest.raises(GraphError, match=r"graph\.yaml"):
        load_graph(path)


def test_the_shared_start_time_moves_only_where_there_is_one():
    camera = NodeLaunch("squat_virtual_athlete", "virtual_camera_node", "front",
                        parameters={"start_time": 10.0}, camera="front")
    live = NodeLaunch("squat_camera", "camera_node", "side",
                      parameters={"video_device": "/dev/video0"}, camera="side")
    assert started_at(camera, 12.34567).parameters == {"start_time": 12.346}
    assert started_at(live, 12.0) is live
