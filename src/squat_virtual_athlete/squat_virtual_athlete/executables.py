"""squat_virtual_athlete's executables (setup.py's entry points): each imports its module only once
running, so a Ctrl-C while that import takes its seconds ends it quietly (quiet_start)."""

from __future__ import annotations

from squat_common.quiet_start import COMMAND_STOPPED, run_main


def virtual_camera_node() -> int:
    return run_main("squat_virtual_athlete.virtual_camera_node")


def render_athlete() -> int:
    return run_main("squat_virtual_athlete.render_cli", COMMAND_STOPPED)
