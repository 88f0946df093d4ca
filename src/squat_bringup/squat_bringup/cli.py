"""`coach`: the all-in-one command line of squat coach."""

from __future__ import annotations

import argparse
import sys

from squat_bringup.ros_components import ros_components


def _run(_: argparse.Namespace) -> int:
    # Until the camera, pose and feedback packages land there is no pipeline to start, so `run`
    # proves the installation instead and says so.
    from squat_bringup.install_check import ros_origin, squat_state_loopback

    print(f"squat coach: {ros_origin()}")
    result = squat_state_loopback()
    if not result.received:
        print(f"FAILED: a SquatState published here did not arrive within {result.seconds:.1f} s")
        return 1
    print(f"ok: rclpy and squat_msgs work (SquatState loopback over DDS in {result.seconds:.2f} s)")
    print("optional ROS 2 parts on this machine:")
    for component in ros_components():
        mark = "yes" if component.available else "no "
        print(f"  [{mark}] {component.name:22s} {component.where}")
    print("The pipeline (cameras, pose, feedback) is not built yet: `coach run` checks the")
    print("installation until it lands.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `coach`, one subcommand per job."""
    parser = argparse.ArgumentParser(prog="coach", description="squat coach")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run squat coach (for now: check the installation)")
    run.set_defaults(handler=_run)
    analyze = commands.add_parser(
        "analyze", help="analyse squat videos offline and write the reps as JSON",
        description="Reps, angles and faults of a front and/or side video, as JSON.")
    from squat_pose.analyze_cli import add_arguments
    from squat_pose.analyze_cli import run as run_analysis

    add_arguments(analyze)
    analyze.set_defaults(handler=run_analysis)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `coach` and `scripts/coach`."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
