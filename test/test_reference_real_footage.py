"""The answer sheet on real footage: built from the coach's videos, scoring real squats."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from conftest import REPO_ROOT, SHARED_DATA, needs_footage
from squat_pose.analyze_cli import analyze
from squat_pose.reference import load_reference

pytestmark = needs_footage
COACH = SHARED_DATA / "reference"


def coach(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO_ROOT / "scripts" / "coach"), *args], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def coach_reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("reference") / "coach.json"
    built = coach("reference", "build", "--front", str(COACH / "coach_front.mp4"),
                  "--side", str(COACH / "coach_side.mp4"), "-o", str(path))
    assert built.returncode == 0, built.stderr[-2000:]
    return path


def test_the_coach_reference_is_built_and_shown(coach_reference):
    shown = coach("reference", "show", str(coach_reference), "--json")
    assert shown.returncode == 0, shown.stderr
    summary = json.loads(shown.stdout)
    assert summary["views"] == ["front", "side"] and summary["reps"] >= 1
    assert summary["deepest_knee_flexion_deg"] > 100
    assert summary["content_hash"] == load_reference(coach_reference).content_hash


def test_the_coach_scores_high_and_a_shallow_squat_clearly_lower_than_a_good_one(
        coach_reference):
    reference = load_reference(coach_reference)
    own = analyze({"front": COACH / "coach_front.mp4", "side": COACH / "coach_side.mp4"}, reference)
    assert own["reps"] and all(rep["score"] >= 90 for rep in own["reps"]), own["reps"]
    good = analyze({"side": SHARED_DATA / "user" / "user_side.mp4"}, reference)
    shallow = analyze({"side": SHARED_DATA / "faulty" / "shallow_side.mp4"}, reference)
    good_score = np.mean([rep["score"] for rep in good["reps"]])
    shallow_score = np.mean([rep["score"] for rep in shallow["reps"]])
    # Measured: 93 against 37; the margin asked for leaves room for other machines.
    assert good_score - shallow_score >= 25, (good_score, shallow_score)
    deepest_miss = shallow["reps"][0]["deviations"][0]
    assert deepest_miss["angle"] == "knee_flexion" and deepest_miss["degrees"] < -30


@pytest.mark.parametrize("make, reason", [
    (lambda p: p / "missing.mp4", "no such file"),
    (lambda p: (p / "text.mp4").write_text("text") and p / "text.mp4", "cannot decode"),
])
def test_a_bad_video_is_refused_and_nothing_is_written(tmp_path, make, reason):
    out = tmp_path / "ref.json"
    result = coach("reference", "build", "--side", str(make(tmp_path)), "-o", str(out))
    assert result.returncode == 2 and reason in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_a_video_with_nobody_is_refused(tmp_path):
    import cv2

    video = tmp_path / "empty.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))
    for _ in range(20):
        writer.write(np.zeros((120, 160, 3), np.uint8))
    writer.release()
    result = coach("reference", "build", "--side", str(video), "-o", str(tmp_path / "r.json"))
    assert result.returncode == 2 and "no person found in any of the 20 frames" in result.stderr
    assert not (tmp_path / "r.json").exists()


def _variant(source, target, transform=lambda frame: frame, every: int = 1):
    import cv2

    capture = cv2.VideoCapture(str(source))
    fps, writer, index = capture.get(cv2.CAP_PROP_FPS), None, 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if index % every == 0:
            frame = transform(frame)
            if writer is None:
                writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"),
                                         fps / every, (frame.shape[1], frame.shape[0]))
            writer.write(frame)
        index += 1
    writer.release()
    return target


def test_resolution_frame_rate_and_a_mirrored_camera_keep_the_rep_scores(tmp_path):
    import cv2

    from squat_pose.reference import builtin_reference_path

    reference = load_reference(builtin_reference_path())
    source = SHARED_DATA / "user" / "user_side.mp4"
    scores = {}
    for name, transform, every in (
            ("original", lambda f: f, 1),
            ("half resolution", lambda f: cv2.resize(f, (f.shape[1] // 2, f.shape[0] // 2),
                                                     interpolation=cv2.INTER_AREA), 1),
            ("half the frame rate", lambda f: f, 2),
            ("mirrored", lambda f: cv2.flip(f, 1), 1)):
        path = source if name == "original" else _variant(source, tmp_path / f"{name}.mp4",
                                                          transform, every)
        scores[name] = [rep["score"] for rep in analyze({"side": path}, reference)["reps"]]
    assert len(scores["original"]) == 2 and all(len(s) == 2 for s in scores.values()), scores
    for name, found in scores.items():
        # Measured: within 0.2 (resolution), 0.7 (frame rate) and 0.4 (mirrored: the side
        # estimator shows MediaPipe the athlete facing right either way; without that, 3.7).
        assert np.allclose(found, scores["original"], atol=3.0), (name, scores)
