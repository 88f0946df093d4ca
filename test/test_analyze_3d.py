"""`coach analyze --calibration`: a rendered session whose front camera stands 40 deg round the
athlete (too far for the front view to judge knee valgus), analysed in 3D with the calibration
render-athlete writes beside the videos: MediaPipe on both views, triangulated; `--per-frame`
lists the 3D landmarks, compared here with the rendered truth (29 mm mean when written). The same
clip calibrated from the athlete alone (`coach calibrate`, no board) is judged as well.
Measured when written, athlete-only: cameras 4 and 37 cm from where they stand, 30 mm mean
per-joint error (25 mm after a similarity alignment)."""

from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import pytest
import yaml

from conftest import REPO_ROOT
from helpers.virtual_athlete_eval import similarity_aligned
from squat_common.rig_calibration import load_rig

COACH = str(REPO_ROOT / "scripts" / "coach")


def coach(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([COACH, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("turned_rig")
    positions = {view: (3.5 * math.cos(math.radians(deg)), 3.5 * math.sin(math.radians(deg)),
                        1.0) for view, deg in (("front", 40.0), ("side", 130.0))}
    rig = folder / "rig.yaml"
    rig.write_text("cameras:\n" + "".join(
        f"  - {{name: {view}, position: [{x:.4f}, {y:.4f}, {z}], look_at: [0, 0, 0.8]}}\n"
        for view, (x, y, z) in positions.items()))
    render = coach("render-athlete", "-o", str(folder / "clip"), "--reps", "2", "--faults",
                   "knee_valgus@2", "--rig", str(rig))
    assert render.returncode == 0, render.stderr
    return folder / "clip"


@pytest.fixture(scope="module")
def analysed(clip, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("analysed") / "result.json"
    result = coach("analyze", "--front", str(clip / "front.mp4"), "--side",
                   str(clip / "side.mp4"), "--calibration", str(clip / "rig_calibration.yaml"),
                   "--reference", "none", "--per-frame", "--json", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text())


def test_valgus_the_front_view_cannot_judge_is_judged_in_3d(analysed):
    reps = analysed["reps"]
    assert len(reps) == 2, reps
    assert reps[0]["faults"] == [] and reps[0]["not_judged"] == [], reps[0]
    valgus = [f for f in reps[1]["faults"] if f["code"] == "knee_valgus"]
    assert valgus and valgus[0]["view"] == "3d", reps[1]
    assert reps[1]["not_judged"] == [], reps[1]


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
    out = tmp_path / "result.json"
    result = coach("analyze", "--front", str(clip / "front.mp4"), "--side",
                   str(clip / "side.mp4"), "--calibration", str(rig), "--reference", "none",
                   "--per-frame", "--json", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    analysed = json.loads(out.read_text())
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
