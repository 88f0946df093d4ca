"""`coach bag reindex DIR`: recover a session bag whose recorder was killed."""

from __future__ import annotations

import argparse
from pathlib import Path

from squat_bringup.bag_recovery import reindex
from squat_bringup.bag_writer import BagError
from squat_common.cli_errors import said_in_one_line


def _reindex(args: argparse.Namespace) -> int:
    recovered = reindex(args.bag.expanduser())
    total = sum(recovered.counts.values())
    print(f"recovered {total} messages on {len(recovered.counts)} topics into {args.bag}; "
          f"the unclosed file is kept as {recovered.kept}")
    for topic, count in sorted(recovered.counts.items()):
        print(f"  {topic}: {count}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """`bag reindex` under the `coach` command."""
    bag = commands.add_parser("bag", help="look after session bags",
                              description="Session bags (coach run --record).")
    actions = bag.add_subparsers(dest="bag_command", required=True)
    recover = actions.add_parser(
        "reindex", help="make a bag whose recorder was killed readable again",
        description="Rebuild a bag left without summary and metadata.yaml (its recorder was "
                    "killed): every message that reached the disk is kept, the unclosed file "
                    "stays beside it.")
    recover.add_argument("bag", type=Path, help="the bag folder")
    recover.set_defaults(handler=said_in_one_line("coach bag reindex", (BagError,), _reindex))
