"""The node graph file and the camera choice shared by the launch file and `coach run`."""

from __future__ import annotations

import pytest

from squat_bringup.graph import (
    GraphError,
    NodeLaunch,
    choose_cameras,
    default_graph_file,
    load_graph,
    ros_arguments,
)


def test_the_shipped_graph_has_two_auto_cameras_pose_and_feedback():
    nodes = load_graph(default_graph_file())
    assert [(n.package, n.executable, n.namespace) for n in nodes] == [
        ("squat_camera", "camera_node", "front"), ("squat_camera", "camera_node", "side"),
        ("squat_pose", "pose_node", ""), ("squat_feedback", "feedback_node", "")]
    assert all(n.parameters["video_device"] == "auto" for n in nodes[:2])


def test_missing_or_absent_cameras_become_one_virtual_athlete_with_a_shared_start():
    nodes = load_graph(default_graph_file())
    chosen, notes = choose_cameras(nodes, {"front": "/dev/video0", "side": None},
                                   exists=lambda path: False, now_s=lambda: 100.0)
    front, side = (n.parameters for n in chosen[:2])
    assert front["video_device"] == side["video_device"] == "virtual"
    assert front["athlete.start_time"] == side["athlete.start_time"] == 103.0
    assert (front["athlete.view"], side["athlete.view"]) == ("front", "side")
    assert notes[0] == "front camera: /dev/video0 not found: showing the virtual athlete"
    assert notes[1] == "side camera: no camera device configured: showing the virtual athlete"
    assert "to use real cameras" in notes[2]


def test_cameras_that_exist_are_used():
    nodes = load_graph(default_graph_file())
    chosen, notes = choose_cameras(nodes, {"front": "/dev/video0", "side": "/dev/video2"},
                                   exists=lambda path: True)
    assert [n.parameters["video_device"] for n in chosen[:2]] == ["/dev/video0", "/dev/video2"]
    assert notes == ["front camera: /dev/video0", "side camera: /dev/video2"]


def test_ros_arguments_write_parameters_as_yaml_values():
    node = NodeLaunch("p", "e", "front", {"flag": True, "rate": 2.5, "xyz": [1.0, 2.0],
                                          "name": "a"})
    assert ros_arguments(node) == ["--ros-args", "-r", "__ns:=/front", "-p", "flag:=true",
                                   "-p", "rate:=2.5", "-p", "xyz:=[1.0, 2.0]", "-p", "name:=a"]


def test_a_broken_graph_file_is_refused_with_its_path(tmp_path):
    path = tmp_path / "graph.yaml"
    path.write_text("nodes: [{package: x}]")
    with pytest.raises(GraphError, match=r"graph\.yaml"):
        load_graph(path)
