"""squat_rqt's executables (setup.py's entry points): each imports its module only once
running, so a Ctrl-C while that import takes its seconds ends it quietly (quiet_start)."""

from __future__ import annotations

from squat_common.quiet_start import COMMAND_STOPPED, run_main


def trainer() -> int:
    return run_main("squat_rqt.trainer_app", COMMAND_STOPPED)
