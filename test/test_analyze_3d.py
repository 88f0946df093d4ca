"""`coach analyze --calibration`: a rendered session whose front camera stands 40 deg round the
athlete (too far for the front view to judge knee valgus), analysed in 3D with the calibration
render-athlete writes beside the videos: MediaPipe on both views, triangulated; `--per-frame`
lists the 3D landmarks, compared here with the rendered truth (29 mm mean when written)."""

from __future__ import annotations

import json
import math
import subprocess

import pytest

from conftest import REPO_ROOT

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


def test_per_frame_landmarks_are_where_the_athlete_was(clip, analysed):
    truth = json.loads((clip / "ground_truth.json").read_text())["frames"]
    listed = analysed["per_frame"]
    assert len(listed) == analysed["frames"] == len(truth)
    joints = [f"{side}_{joint}" for side in ("left", "right")
              for joint in ("shoulder", "hip", "knee", "ankle")]
    errors = []
    for frame, true in zip(listed, truth, strict=True):
        assert set(frame) == {"time_s", "landmarks_3d", "angles"}
        if frame["landmarks_3d"] is None:
            continue
        for joint in joints:
            if frame["landmarks_3d"][joint] is not None:
                errors.append(math.dist(frame["landmarks_3d"][joint],
                                        true["landmarks_3d"][joint]))
    assert len(errors) > 0.9 * len(truth) * len(joints)
    mean_mm = 1000 * sum(errors) / len(errors)
    # Issue 18's goal with an exact calibration, over shoulders, hips, knees and ankles.
    assert mean_mm <= 40.0, f"mean per-joint error {mean_mm:.0f} mm"


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

