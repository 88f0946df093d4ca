"""`coach check-cameras`: how each camera sees the athlete standing, and what to move."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import REPO_ROOT

COACH = str(REPO_ROOT / "scripts" / "coach")


def check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([COACH, "check-cameras", "--log-dir", str(tmp_path / "logs"), *args],
                          capture_output=True, text=True, timeout=240,
                          env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)))


def test_the_default_rig_is_good_for_every_fault(tmp_path):
    result = check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    front = next(line for line in lines if line.startswith("front camera: "))
    side = next(line for line in lines if line.startswith("side camera: "))
    assert front.startswith("front camera: whole body in the frame, athlete ") and \
        front.endswith(" deg off its axis (good)"), front
    assert side.startswith("side camera: whole body in the frame"), side
    assert "session:" not in result.stdout and "Traceback" not in result.stderr


def test_a_front_camera_far_round_the_athlete_is_told_to_move(tmp_path):
    rig = tmp_path / "rig.yaml"
    # The front camera 60 deg round towards the athlete's left; the side camera as usual.
    rig.write_text("cameras:\n"
                   "  - {name: front, position: [1.75, 3.03, 1.0], look_at: [0, 0, 0.8]}\n"
                   "  - {name: side, position: [0.0, 3.5, 1.0], look_at: [0, 0, 0.8]}\n")
    render = subprocess.run([COACH, "render-athlete", "-o", str(tmp_path / "clip"), "--reps",
                             "1", "--rig", str(rig)], capture_output=True, text=True,
                            timeout=300)
    assert render.returncode == 0, render.stderr
    videos = {view: next((tmp_path / "clip").glob(f"{view}*.mp4")) for view in ("front", "side")}
    result = check(tmp_path, "--front", str(videos["front"]), "--side", str(videos["side"]))
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    front = next(line for line in result.stdout.splitlines()
                 if line.startswith("front camera: "))
    assert "move the camera round to face them" in front, result.stdout
    assert "Traceback" not in result.stderr
