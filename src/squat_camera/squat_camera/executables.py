"""squat_camera's executables (setup.py's entry points): each imports its module only once
running, so a Ctrl-C while that import takes its seconds ends it quietly (quiet_start)."""

from __future__ import annotations

from squat_common.quiet_start import run_main


def camera_node() -> int:
    return run_main("squat_camera.camera_node")
