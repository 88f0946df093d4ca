"""`coach analyze --calibration`: a rendered session whose front camera stands 40 deg round the
athlete (too far for the front view to judge knee valgus), analysed in 3D with the calibration
render-athlete writes beside the videos: MediaPipe on both views, triangulated; `--per-frame`
lists the 3D landmarks, compared here with the rendered truth (29 mm mean when written). The same
clip calibrated from the athlete alone (`coach calibrate`, no board), with a rendered checkerboard
or ChArUco board waved in both views first (`--board`, `--charuco`), and from a bag of its
cameras' camera_info and TF (`--from-tf`) is judged as well.
Measured when written, athlete-only: cameras 4 and 37 cm from where they stand, 30 mm mean
per-joint error (25 mm after a similarity alignment)."""

from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import pytest
import yaml
from rclpy.serialization import serialize_message
from sensor_msgs.msg import CameraInfo

from conftest import REPO_ROOT
from helpers.board_video import board_then_session
from helpers.virtual_athlete_eval import similarity_aligned
from squat_bringup.bag_writer import BagWriter, qos
from squat_common.calibration_board import Board, CalibrationBoard, CharucoBoard
from squat_common.rig_calibration import RigCalibration, load_rig
from squat_common.rotations import quaternion_xyzw
from squat_virtual_athlete.render_cli import cameras_from_rig

COACH = str(REPO_ROOT / "scripts" / "coach")


def coach(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([COACH, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("turned_rig")
    positions = {view: (3.5 * math.cos(math.radians(deg)), 3.5 * math.sin(math.radians(deg)),
                        1.0) for view, deg in (("front", 40.0), ("side", 130.0))}
    rig = folder / "rig.yaml"  # render-athlete's rig: cameras by position and aim
    rig.write_text("cameras:\n" + "".join(
        f"  - {{name: {view}, position: [{x:.4f}, {y:.4f}, {z}], look_at: [0, 0, 0.8]}}\n"
        for view, (x, y, z) in positions.items()))
    render = coach("render-athlete", "-o", str(folder / "clip"), "--reps", "2", "--faults",
                   "knee_valgus@2", "--rig", str(rig))
    assert render.returncode == 0, render.stderr
    return folder / "clip"


def analysed_with(clip, calibration, out) -> dict:
    """`coach analyze --per-frame` of the clip with a calibration file: the JSON it writes."""
    result = coach("analyze", "--front", str(clip / "front.mp4"), "--side",
                   str(clip / "side.mp4"), "--calibration", str(calibration), "--reference",
                   "none", "--per-frame", "--json", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def analysed(clip, tmp_path_factory) -> dict:
    return analysed_with(clip, clip / "rig_calibration.yaml",
                         tmp_path_factory.mktemp("analysed") / "result.json")


def test_valgus_the_front_view_cannot_judge_is_judged_in_3d(analysed):
    reps = analysed["reps"]
    assert len(reps) == 2, reps
    valgus = [f for f in reps[1]["faults"] if f["code"] == "knee_valgus"]
    assert reps[0]["faults"] == [] and valgus and valgus[0]["view"] == "3d", reps
    for rep in reps:
        # Only the shift needs the front camera facing the athlete, in 3D too.
        assert [item["code"] for item in rep["not_judged"]] == ["lateral_shift"], rep


JOINTS = [f"{side}_{joint}" for side in ("left", "right")
          for joint in ("shoulder", "hip", "knee", "ankle")]


def joint_pairs(clip, analysed) -> tuple[np.ndarray, np.ndarray]:
    """(found, true) positions of every shoulder, hip, knee and ankle triangulated."""
    truth = json.loads((clip / "ground_truth.json").read_text())["frames"]
    listed = analysed["per_frame"]
    assert len(listed) == analysed["frames"] == len(truth)
    found, true = [], []
    for frame, rendered in zip(listed, truth, strict=True):
        assert set(frame) == {"time_s", "landmarks_3d", "angles"}
        if frame["landmarks_3d"] is None:
            continue
        for joint in JOINTS:
            if frame["landmarks_3d"][joint] is not None:
                found.append(frame["landmarks_3d"][joint])
                true.append(rendered["landmarks_3d"][joint])
    assert len(found) > 0.9 * len(truth) * len(JOINTS)
    return np.array(found), np.array(true)


def test_per_frame_landmarks_are_where_the_athlete_was(clip, analysed):
    found, true = joint_pairs(clip, analysed)
    mean_mm = 1000 * np.linalg.norm(found - true, axis=1).mean()
    # Issue 18's goal with an exact calibration, over shoulders, hips, knees and ankles.
    assert mean_mm <= 40.0, f"mean per-joint error {mean_mm:.0f} mm"


def relative(rig: RigCalibration) -> tuple[np.ndarray, np.ndarray]:
    """The side camera's rotation and position in the front camera's optical frame."""
    front, side = rig.cameras["front"], rig.cameras["side"]
    return front.rotation.T @ side.rotation, front.rotation.T @ (side.position - front.position)


def board_calibrated(clip, tmp_path, board: Board, *options: str) -> tuple[str, str]:
    """`coach calibrate` with `options` on the clip's videos with `board` waved in both views
    first: the rig file and what it printed; its side camera checked against the true rig."""
    cameras = cameras_from_rig(clip.parent / "rig.yaml", 640, 480, 60.0)
    videos = board_then_session(clip, cameras, board, tmp_path / "recorded")
    rig = tmp_path / "board.yaml"
    made = coach("calibrate", "--front", str(videos["front"]), "--side", str(videos["side"]),
                 *options, "-o", str(rig))
    assert made.returncode == 0, made.stderr[-3000:]
    calibrated, true_rig = load_rig(rig), load_rig(clip / "rig_calibration.yaml")
    assert calibrated.source == "board" and calibrated.reprojection_error_px < 0.3
    (found_turn, found_at), (true_turn, true_at) = relative(calibrated), relative(true_rig)
    turn = np.degrees(np.arccos(np.clip((np.trace(true_turn.T @ found_turn) - 1) / 2, -1, 1)))
    baseline = np.linalg.norm(found_at - true_at) / np.linalg.norm(true_at)
    print(f"{board.describe()}: side camera turned {turn:.2f} deg and {100 * baseline:.1f} % "
          "of the baseline off the front one's truth")
    assert turn < 0.5 and baseline < 0.02
    return str(rig), made.stdout


def test_calibrated_with_a_board_the_rig_is_the_true_one_and_judges_as_it(clip, tmp_path):
    rig, said = board_calibrated(clip, tmp_path, CalibrationBoard.parse("7x6", 100),
                                 "--board", "7x6", "--square-mm", "100")
    assert "lens from 50 board frames" in said, said
    analysed = analysed_with(clip, rig, tmp_path / "result.json")
    found, true = joint_pairs(clip, analysed)
    raw_mm = 1000 * np.linalg.norm(found - true, axis=1).mean()
    print(f"board calibration: mean per-joint error {raw_mm:.0f} mm")
    # Metric from the board; only the world frame's axes come from the athlete standing.
    assert raw_mm <= 40.0
    assert [[f["code"] for f in rep["faults"]] for rep in analysed["reps"]] == \
        [[], ["knee_valgus"]]


def test_calibrated_with_a_charuco_board_the_rig_is_the_true_one(clip, tmp_path):
    _, said = board_calibrated(clip, tmp_path, CharucoBoard.parse("5x4", 200, 150),
                               "--charuco", "5x4", "--square-mm", "200", "--marker-mm", "150",
                               "--aruco-dict", "dict_4x4_50")
    assert "ChArUco 5x4 squares" in said, said


def write_published_rig(bag, rig: RigCalibration, tf: bool = True) -> None:
    """A session bag holding what the rig's camera nodes publish: camera_info and, unless
    `tf` is False, their optical frames' static transforms from world."""
    writer = BagWriter(bag)
    store = writer.typestore
    types = store.types
    transforms = []
    for view, camera in rig.cameras.items():
        info = CameraInfo(width=camera.width, height=camera.height,
                          distortion_model="plumb_bob", k=camera.matrix.ravel().tolist(),
                          d=camera.distortion.tolist())
        info.header.frame_id = f"{view}_optical_frame"
        writer.add_topic(f"/{view}/camera_info", "sensor_msgs/msg/CameraInfo",
                         qos(False, False))
        writer.write(f"/{view}/camera_info", 1, serialize_message(info))
        x, y, z, w = quaternion_xyzw(camera.rotation)
        transforms.append(types["geometry_msgs/msg/TransformStamped"](
            types["std_msgs/msg/Header"](types["builtin_interfaces/msg/Time"](0, 0), "world"),
            f"{view}_optical_frame", types["geometry_msgs/msg/Transform"](
                types["geometry_msgs/msg/Vector3"](*map(float, camera.position)),
                types["geometry_msgs/msg/Quaternion"](x, y, z, w))))
    if tf:
        writer.add_topic("/tf_static", "tf2_msgs/msg/TFMessage", qos(True, True))
        writer.write("/tf_static", 1, bytes(store.serialize_cdr(
            types["tf2_msgs/msg/TFMessage"](transforms), "tf2_msgs/msg/TFMessage")))
    writer.close()


def test_calibrated_from_camera_info_and_tf_the_rig_is_the_published_one(clip, tmp_path):
    true_rig = load_rig(clip / "rig_calibration.yaml")
    write_published_rig(tmp_path / "bag", true_rig)
    rig = tmp_path / "tf.yaml"
    made = coach("calibrate", "--bag", str(tmp_path / "bag"), "--from-tf", "-o", str(rig),
                 timeout=60)
    assert made.returncode == 0, made.stderr
    calibrated = load_rig(rig)
    assert calibrated.source == "camera_info"
    for view, camera in true_rig.cameras.items():
        np.testing.assert_allclose(calibrated.cameras[view].position, camera.position,
                                   atol=1e-6)
        np.testing.assert_allclose(calibrated.cameras[view].rotation, camera.rotation,
                                   atol=1e-6)
        np.testing.assert_allclose(calibrated.cameras[view].matrix, camera.matrix, atol=1e-6)
    write_published_rig(tmp_path / "no_tf", true_rig, tf=False)
    refused = coach("calibrate", "--bag", str(tmp_path / "no_tf"), "--from-tf", "-o",
                    str(tmp_path / "none.yaml"), timeout=60)
    assert refused.returncode == 2 and "holds no /tf_static" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "none.yaml").exists()


def test_calibrated_from_the_athlete_alone_the_rig_judges_as_the_exact_one(clip, tmp_path):
    # Each camera's intrinsics as its camera_info file would give them; the poses are found.
    exact = yaml.safe_load((clip / "rig_calibration.yaml").read_text())["cameras"]
    for view, entry in exact.items():
        (tmp_path / f"{view}.yaml").write_text(yaml.safe_dump(
            {key: value for key, value in entry.items() if key != "pose"}))
    rig = tmp_path / "self.yaml"
    made = coach("calibrate", "--front", str(clip / "front.mp4"), "--side",
                 str(clip / "side.mp4"), "--athlete-height", "1.75", "--intrinsics",
                 str(tmp_path / "front.yaml"), str(tmp_path / "side.yaml"), "-o", str(rig))
    assert made.returncode == 0, made.stderr[-3000:]
    calibrated, true_rig = load_rig(rig), load_rig(clip / "rig_calibration.yaml")
    assert calibrated.source == "athlete" and calibrated.reprojection_error_px < 3.0
    offsets = {view: float(np.linalg.norm(camera.position -
                                          true_rig.cameras[view].position))
               for view, camera in calibrated.cameras.items()}
    print(f"athlete-only calibration: cameras {offsets} m from where they stand")
    assert max(offsets.values()) < 0.6, offsets
    analysed = analysed_with(clip, rig, tmp_path / "result.json")
    found, true = joint_pairs(clip, analysed)
    aligned_mm = 1000 * np.linalg.norm(similarity_aligned(found, true) - true, axis=1).mean()
    raw_mm = 1000 * np.linalg.norm(found - true, axis=1).mean()
    print(f"mean per-joint error {raw_mm:.0f} mm, {aligned_mm:.0f} mm after alignment")
    # Issue 18's goal with the athlete-only calibration, after a similarity alignment.
    assert aligned_mm <= 60.0
    assert [[f["code"] for f in rep["faults"]] for rep in analysed["reps"]] == \
        [[], ["knee_valgus"]]


@pytest.mark.parametrize("args, reason", [
    (("--front", "{clip}/front.mp4"), "--calibration needs both views"),
    (("--front", "{clip}/front.mp4", "--side", "{clip}/side.mp4"), "cannot read"),
], ids=["one view", "no such file"])
def test_a_calibration_that_cannot_be_used_is_refused_before_any_frame(clip, tmp_path, args,
                                                                      reason):
    result = coach("analyze", *(arg.format(clip=clip) for arg in args), "--calibration",
                   str(tmp_path / "none.yaml"), "--json", str(tmp_path / "out.json"), timeout=60)
    assert result.returncode == 2, result.stderr
    assert reason in result.stderr and "Traceback" not in result.stderr
    assert "analyze [" not in result.stderr



@pytest.mark.parametrize("args, reason", [
    (("--front", "{clip}/front.mp4"), "calibration needs both cameras"),
    (("--front", "{tmp}/none.mp4", "--side", "{clip}/side.mp4"), "cannot play"),
    (("--front", "{clip}/front.mp4", "--side", "{clip}/side.mp4", "--intrinsics",
      "{tmp}/none.yaml", "{tmp}/none.yaml"), "cannot read"),
    (("--front", "{clip}/front.mp4", "--side", "{clip}/side.mp4", "-o", "{tmp}/no/rig.yaml"),
     "no folder"),
    (("--front", "{clip}/front.mp4", "--side", "{clip}/side.mp4", "--athlete-height", "175"),
     "metres, from 1.0 to 2.5"),
], ids=["one view", "no such video", "no such intrinsics", "no output folder", "height in cm"])
def test_coach_calibrate_refuses_a_mistake_in_one_line_before_any_frame(clip, tmp_path, args,
                                                                       reason):
    given = [arg.format(clip=clip, tmp=tmp_path) for arg in args]
    defaults = {"--athlete-height": "1.75", "-o": str(tmp_path / "rig.yaml")}
    for option, value in defaults.items():
        if option not in given:
            given += [option, value]
    result = coach("calibrate", *given, timeout=60)
    assert result.returncode == 2, result.stderr
    assert reason in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "rig.yaml").exists()


@pytest.mark.parametrize("args, reason", [
    (("--board", "7x6"), "--board needs --square-mm"),
    (("--board", "7x7", "--square-mm", "100"), "one count must be even"),
    (("--board", "7x6", "--square-mm", "100", "--fov-deg", "60"), "a board calibrates the"),
    (("--board", "7x6", "--square-mm", "100", "--athlete-height", "1.75"), "only one"),
    ((), "say how to calibrate"),
    (("--from-tf",), "give --bag alone"),
    (("--charuco", "5x4", "--square-mm", "200"), "--charuco needs --marker-mm"),
    (("--charuco", "5x4", "--square-mm", "200", "--marker-mm", "150", "--aruco-dict", "9X9_9"),
     "ArUco dictionary '9X9_9'"),
    (("--board", "7x6", "--square-mm", "100", "--marker-mm", "75"), "go with --charuco"),
    (("--charuco", "5x4", "--board", "7x6", "--square-mm", "100"), "only one"),
], ids=["no square size", "symmetric board", "fov with a board", "two methods", "no method",
        "tf without a bag", "charuco without a marker size", "unknown aruco dictionary",
        "marker size for a checkerboard", "two boards"])
def test_coach_calibrate_refuses_options_that_do_not_go_together(clip, tmp_path, args, reason):
    result = coach("calibrate", "--front", str(clip / "front.mp4"), "--side",
                   str(clip / "side.mp4"), *args, "-o", str(tmp_path / "rig.yaml"), timeout=60)
    assert result.returncode == 2, result.stderr
    assert reason in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "rig.yaml").exists()
