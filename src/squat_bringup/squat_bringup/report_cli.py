"""`coach report DIR [-o report.html] [--csv reps.csv]`: the report of a recorded session."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from squat_bringup.session_record import read_session
from squat_common.bag_reading import BagReadError, check_bag
from squat_common.cli_errors import said_in_one_line
from squat_common.output_files import unwritable_reason

REPORT_NAME = "report.html"


class ReportError(RuntimeError):
    """A report that cannot be written, with the reason."""


def make_report(bag: Path, output: Path | None = None, csv: Path | None = None) -> Path:
    """Write the report of `bag` (default: report.html in the bag folder) and the CSV if
    asked; the report's path. The bag and the outputs are checked before the bag is read."""
    check_bag(bag)
    output = output or bag / REPORT_NAME
    for path in (output, csv):
        problem = path and unwritable_reason(path)
        if problem:
            raise ReportError(problem)
    # matplotlib takes ~1 s to import: only a report pays for it, not every `coach` command.
    from squat_bringup.session_report import write_csv, write_report

    record = read_session(bag)
    write_report(record, output)
    if csv is not None:
        write_csv(record, csv)
    return output


def _report(args: argparse.Namespace) -> int:
    written = make_report(args.bag.expanduser(), args.output, args.csv)
    print(f"report: {written}" + (f", rep table: {args.csv}" if args.csv else ""),
          file=sys.stderr)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """`report` under the `coach` command."""
    report = commands.add_parser(
        "report", help="write the HTML report of a recorded session",
        description="One self-contained HTML file from a session bag (coach run --record): "
                    "the reps with their feedback, angle curves against the reference, each "
                    "rep's bottom as the cameras saw it, and the sync quality.")
    report.add_argument("bag", type=Path, help="the session bag folder")
    report.add_argument("-o", "--output", type=Path,
                        help=f"the HTML file (default: {REPORT_NAME} in the bag folder)")
    report.add_argument("--csv", type=Path, help="also write the rep table as CSV here")
    report.set_defaults(handler=said_in_one_line("coach report", (BagReadError, ReportError),
                                                 _report))
