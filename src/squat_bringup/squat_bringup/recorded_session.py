"""What becomes of a recorded session's bag when `coach run` ends: made a bag again if its
recorder was killed, then its report written beside it. Imports no rclpy."""

from __future__ import annotations

from pathlib import Path

from squat_bringup.bag_recovery import reindex, unclosed_file
from squat_bringup.bag_writer import BagError
from squat_bringup.report_cli import ReportError, make_report
from squat_common.bag_reading import BagReadError


def finish_recording(bag: Path) -> list[str]:
    """Recover `bag` if it was left unclosed and write its report; what happened, as lines
    for the session summary."""
    lines = []
    if unclosed_file(bag) is not None:
        try:
            recovered = reindex(bag)
        except BagError as error:
            return [f"  bag: not recovered: {error}"]
        lines.append(f"  bag: its recorder was killed; recovered {sum(recovered.counts.values())}"
                     f" messages (coach bag reindex)")
    try:
        lines.append(f"  report: {make_report(bag)}")
    except (BagReadError, ReportError) as error:
        lines.append(f"  report: not written: {error}")
    return lines
