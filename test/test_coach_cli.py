"""`scripts/coach`: the installation check, and the whole graph on the virtual athlete."""

from __future__ import annotations

import subprocess

from conftest import REPO_ROOT


def test_coach_run_checks_the_installation(tmp_path):
    # From another folder: the repo's top-level launch/ must not pass for ROS's launch module.
    result = subprocess.run(
        [str(REPO_ROOT / "scripts" / "coach"), "run", "--check"], cwd=tmp_path,
        capture_output=True, text=True, timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: rclpy and squat_msgs work" in result.stdout
    assert "[setup]" not in result.stdout, "setup progress belongs on stderr"
    assert "launch (ros2 launch)" in result.stdout
