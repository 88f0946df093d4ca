"""squat_bringup's executables (setup.py's entry points): each imports its module only once
running, so a Ctrl-C while that import takes its seconds ends it quietly (quiet_start)."""

from __future__ import annotations

from squat_common.quiet_start import COMMAND_STOPPED, run_main


def coach() -> int:
    return run_main("squat_bringup.cli", COMMAND_STOPPED)


def session_recorder() -> int:
    return run_main("squat_bringup.recorder_node")


def bag_player() -> int:
    return run_main("squat_bringup.bag_player_node")
