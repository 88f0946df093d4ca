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
    own = analyze(COACH / "coach_front.mp4", COACH / "coach_side.mp4", reference)
    assert own["reps"] and all(rep["score"] >= 90 for rep in own["reps"]), own["reps"]
    good = analyze(None, SHARED_DATA / "user" / "user_side.mp4", reference)
    shallow = analyze(None, SHARED_DATA / "faulty" / "shallow_side.mp4", reference)
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
