"""Rig calibration files: written and read back exactly; a broken one refused with the reason."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from squat_common.rig_calibration import (
    CalibrationError,
    CameraCalibration,
    RigCalibration,
    load_rig,
    save_rig,
)
from squat_common.rotations import quaternion_xyzw, rotation_from_xyzw


def camera(name: str, yaw: float) -> CameraCalibration:
    c, s = np.cos(yaw), np.sin(yaw)
    rotation = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]) @ np.array(
        [[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])
    return CameraCalibration(name, 640, 480, np.array([[550.0, 0, 320], [0, 551.0, 240],
                                                        [0, 0, 1]]),
                             np.array([-0.1, 0.01, 0.0, 0.0, 0.0]), rotation,
                             np.array([3.5, 0.2, 1.0]))


def test_a_rig_reads_back_as_written(tmp_path):
    rig = RigCalibration({"front": camera("front", 0.3), "side": camera("side", -1.2)},
                         source="athlete", reprojection_error_px=1.25, notes=["from 3 reps"])
    path = tmp_path / "rig.yaml"
    save_rig(path, rig)
    back = load_rig(path, ("front", "side"))
    assert (back.source, back.reprojection_error_px, back.notes) == ("athlete", 1.25,
                                                                      ["from 3 reps"])
    for view, original in rig.cameras.items():
        read = back.cameras[view]
        assert np.allclose(read.rotation, original.rotation, atol=1e-8)
        assert np.allclose(read.projection(), original.projection(), atol=1e-5)
        assert np.allclose(read.distortion, original.distortion)
    # Each camera's entry is camera_calibration's file, as a camera node reads it.
    entry = yaml.safe_load(path.read_text())["cameras"]["front"]
    assert entry["camera_matrix"]["data"][0] == 550.0
    assert entry["distortion_model"] == "plumb_bob"


def test_quaternions_and_matrices_agree_both_ways():
    rng = np.random.default_rng(3)
    for _ in range(50):
        q = rng.normal(size=4)
        q /= np.linalg.norm(q)
        matrix = rotation_from_xyzw(q)
        back = np.array(quaternion_xyzw(matrix))
        assert np.allclose(back, q, atol=1e-9) or np.allclose(back, -q, atol=1e-9)


def broken(tmp_path, change) -> str:
    rig = RigCalibration({"front": camera("front", 0.0), "side": camera("side", 1.5)},
                         source="camera_info")
    document = yaml.safe_load(rig.to_yaml())
    change(document)
    path = tmp_path / "rig.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(CalibrationError) as refused:
        load_rig(path, ("front", "side"))
    return str(refused.value)


@pytest.mark.parametrize("change, reason", [
    (lambda d: d["cameras"].pop("side"), "no camera side"),
    (lambda d: d["cameras"]["front"].pop("pose"), "camera front: no pose"),
    (lambda d: d["cameras"]["front"]["camera_matrix"].update(data=[1, 2]),
     "camera front: camera_matrix needs 9 numbers"),
    (lambda d: d["cameras"]["front"].pop("camera_matrix"), "camera front: no camera_matrix"),
    (lambda d: d["cameras"]["side"].update(distortion_model="equidistant"), "plumb_bob"),
    (lambda d: d["cameras"]["side"]["pose"].update(orientation_xyzw=[0, 0, 0, 0]),
     "not a rotation"),
    (lambda d: d["cameras"]["side"]["pose"].update(position=[1, "x", 2]), "camera side"),
    (lambda d: d.update(source="guess"), "source 'guess'"),
    (lambda d: d.pop("cameras"), "no 'cameras' mapping"),
    (lambda d: d["cameras"]["front"].update(image_width="wide"), "whole numbers"),
    (lambda d: d["cameras"]["front"].update(pose=None), "pose a mapping"),
    (lambda d: d["cameras"]["front"].update(camera_matrix=[1, 2, 3]),
     "camera_matrix needs 9 numbers under data:"),
    (lambda d: d["cameras"]["front"]["pose"].update(orientation_xyzw="up"),
     "'up' is not four numbers"),
], ids=["a view missing", "no pose", "short matrix", "no matrix", "fisheye", "zero quaternion",
        "text in a position", "unknown source", "no cameras", "text for the width",
        "empty pose", "matrix as a list", "text for a quaternion"])
def test_a_broken_file_is_refused_with_the_reason(tmp_path, change, reason):
    assert reason in broken(tmp_path, change)


def test_a_file_that_is_not_there_or_not_yaml_is_refused(tmp_path):
    with pytest.raises(CalibrationError, match="cannot read"):
        load_rig(tmp_path / "none.yaml")
    (tmp_path / "bad.yaml").write_text("cameras: [unclosed")
    with pytest.raises(CalibrationError, match="not valid YAML"):
        load_rig(tmp_path / "bad.yaml")
