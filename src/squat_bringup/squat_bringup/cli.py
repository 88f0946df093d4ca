"""`coach`: the all-in-one command line of squat coach."""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import replace
from pathlib import Path

from squat_bringup.ros_components import ros_components


def _check(_: argparse.Namespace) -> int:
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
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.check:
        return _check(args)
    from squat_bringup.graph import (
        GraphError,
        NodeLaunch,
        choose_cameras,
        default_graph_file,
        default_params_file,
        load_graph,
    )
    from squat_bringup.runner import (
        RunnerError,
        SessionPlan,
        refuse_a_second_session,
        run_graph,
    )

    try:
        nodes = load_graph(args.graph or default_graph_file())
    except GraphError as error:
        print(f"coach run: {error}", file=sys.stderr)
        return 2
    try:
        # Before anything is chosen or started: nothing of this session may reach the other.
        refuse_a_second_session(nodes)
    except RunnerError as error:
        print(f"coach run: {error}", file=sys.stderr)
        return 2
    nodes, notes = choose_cameras(nodes, {"front": args.front, "side": args.side})
    for note in notes:
        print(f"[coach] {note}", file=sys.stderr)
    params_file = args.params_file or default_params_file()
    if not params_file.is_file():
        print(f"coach run: no parameters file {params_file}", file=sys.stderr)
        return 2
    if args.reference is not None:
        from squat_pose.reference import BUILTIN, ReferenceError, load_reference, reference_file

        path = {"none": "", BUILTIN: BUILTIN}.get(
            args.reference, str(Path(args.reference).expanduser().resolve()))
        try:
            if path:
                load_reference(reference_file(path))
        except ReferenceError as error:
            print(f"coach run: {error}", file=sys.stderr)
            return 2
        nodes = [replace(n, parameters={**n.parameters, "reference_path": path})
                 if n.executable == "pose_node" else n for n in nodes]
    if args.record is not None:
        bag = args.record.expanduser().resolve()
        if bag.exists() or not bag.parent.is_dir():
            print(f"coach run: cannot record to {args.record}: "
                  f"{'it exists' if bag.exists() else 'its folder does not exist'} (a bag "
                  "is written to a new folder)", file=sys.stderr)
            return 2
        nodes = [*nodes, NodeLaunch("squat_bringup", "session_recorder",
                                    parameters={"bag_path": str(bag)})]
    plan = SessionPlan(duration_s=args.duration, reps=args.reps, quiet=args.quiet,
                       bag=args.record and bag)
    try:
        return run_graph(nodes, params_file, plan, args.log_dir)
    except RunnerError as error:
        print(f"coach run: {error}", file=sys.stderr)
        return 2


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def _positive_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of reps")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `coach`, one subcommand per job."""
    parser = argparse.ArgumentParser(prog="coach", description="squat coach")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="start the cameras and the pose node (the virtual athlete without cameras)",
        description="Start squat coach's node graph (config/squat_coach.yaml). A camera not "
                    "given, or not found, shows the virtual athlete instead.")
    run.add_argument("--front", help="front camera: a V4L2 device, video file or folder")
    run.add_argument("--side", help="side camera: a V4L2 device, video file or folder")
    run.add_argument("--graph", type=Path, help="another node graph YAML")
    run.add_argument("--params-file", type=Path,
                     help="a ros__parameters YAML for every node (default: "
                          "squat_bringup/config/squat_coach.params.yaml)")
    run.add_argument("--reference",
                     help="reference to score against (coach reference build; default: the "
                          "built-in textbook squat; 'none': no scores)")
    ends = run.add_mutually_exclusive_group()
    ends.add_argument("--reps", type=_positive_count,
                      help="end once this many reps are done and coached")
    ends.add_argument("--duration", type=_positive_seconds, help="end after this many seconds")
    run.add_argument("--record", type=Path, metavar="DIR",
                     help="record the session to a new rosbag2 bag folder (MCAP)")
    run.add_argument("--quiet", action="store_true",
                     help="print only the session summary, not each rep and its feedback")
    run.add_argument("--log-dir", type=Path,
                     help="folder for the nodes' logs (default: a new one under "
                          "~/.ros/squat_coach/sessions)")
    run.add_argument("--check", action="store_true",
                     help="only check the installation (rclpy, squat_msgs, optional parts)")
    run.set_defaults(handler=_run)
    render_command = commands.add_parser(
        "render-athlete", help="render a virtual squat session: videos + ground truth",
        description="Render the virtual athlete to one video per camera, ground_truth.json "
                    "and contact_sheet.png.")
    from squat_virtual_athlete.render_cli import build_parser as render_parser
    from squat_virtual_athlete.render_cli import run as render

    render_parser(render_command)
    render_command.set_defaults(handler=render)
    from squat_feedback.kb_cli import add_commands

    add_commands(commands)
    analyze = commands.add_parser(
        "analyze", help="analyse squat videos offline and write the reps as JSON",
        description="Reps, angles and faults of a front and/or side video, as JSON.")
    from squat_pose.analyze_cli import add_arguments
    from squat_pose.analyze_cli import run as run_analysis

    add_arguments(analyze)
    analyze.set_defaults(handler=run_analysis)
    from squat_pose.reference_cli import add_commands as add_reference_commands

    add_reference_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `coach` and `scripts/coach`."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130  # Ctrl-C: the user's choice, not an error to explain


if __name__ == "__main__":
    sys.exit(main())
