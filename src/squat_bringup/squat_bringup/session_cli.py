"""`coach run` and `coach replay`: a session of the node graph, shown as it goes.

Both start the graph's nodes through the runner (squat_bringup.runner), which prints each rep
and its feedback and the summary; `run` puts cameras (or the virtual athlete) in front, `replay`
a recorded bag on sim time.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import replace
from pathlib import Path

from squat_bringup.bag_replay import ReplayError, ReplaySettings, camera_views
from squat_bringup.graph import (
    GraphError,
    NodeLaunch,
    choose_cameras,
    default_graph_file,
    default_params_file,
    load_graph,
)
from squat_bringup.runner import RunnerError, SessionPlan, refuse_a_second_session, run_graph
from squat_common.settings import with_values


class SessionCliError(RuntimeError):
    """A user's mistake, said in one line."""


def _number(text: str, kind: type, what: str) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not {what}")
    return value


def _positive_seconds(text: str) -> float:
    if (value := _number(text, float, "a number of seconds")) <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def _positive_count(text: str) -> int:
    if (value := _number(text, int, "a whole number")) <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of reps")
    return value


def _rate(text: str) -> float:
    value = _number(text, float, "a number")
    try:
        with_values(ReplaySettings(bag_path="-"), {"rate": value})
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def _common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--graph", type=Path, help="another node graph YAML")
    parser.add_argument("--params-file", type=Path,
                        help="a ros__parameters YAML for every node (default: "
                             "squat_bringup/config/squat_coach.params.yaml)")
    parser.add_argument("--reference",
                        help="reference to score against (coach reference build; default: "
                             "the built-in textbook squat; 'none': no scores)")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the session summary, not each rep and its feedback")
    parser.add_argument("--log-dir", type=Path,
                        help="folder for the nodes' logs (default: a new one under "
                             "~/.ros/squat_coach/sessions)")


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    """The options of `coach run`."""
    run.add_argument("--front", help="front camera: a V4L2 device, video file or folder")
    run.add_argument("--side", help="side camera: a V4L2 device, video file or folder")
    _common_arguments(run)
    ends = run.add_mutually_exclusive_group()
    ends.add_argument("--reps", type=_positive_count,
                      help="end once this many reps are done and coached")
    ends.add_argument("--duration", type=_positive_seconds, help="end after this many seconds")
    run.add_argument("--record", type=Path, metavar="DIR",
                     help="record the session to a new rosbag2 bag folder (MCAP)")


def add_replay_arguments(replay: argparse.ArgumentParser) -> None:
    """The options of `coach replay`."""
    replay.add_argument("bag", type=Path, help="a session bag (coach run --record)")
    replay.add_argument("--rate", type=_rate, default=ReplaySettings().rate,
                        help=f"playback speed (default {ReplaySettings().rate:g})")
    _common_arguments(replay)


def _graph(args: argparse.Namespace) -> list[NodeLaunch]:
    try:
        nodes = load_graph(args.graph or default_graph_file())
        # Before anything is chosen or started: nothing of this session may reach the other.
        refuse_a_second_session(nodes)
    except (GraphError, RunnerError) as error:
        raise SessionCliError(str(error)) from None
    return nodes


def _params_file(args: argparse.Namespace) -> Path:
    params_file = args.params_file or default_params_file()
    if not params_file.is_file():
        raise SessionCliError(f"no parameters file {params_file}")
    return params_file


def _on_pose_node(nodes: list[NodeLaunch], **parameters: object) -> list[NodeLaunch]:
    return [replace(n, parameters={**n.parameters, **parameters})
            if n.executable == "pose_node" else n for n in nodes]


def _with_reference(nodes: list[NodeLaunch], reference: str | None) -> list[NodeLaunch]:
    if reference is None:
        return nodes
    from squat_pose.reference import BUILTIN, ReferenceError, load_reference, reference_file

    path = {"none": "", BUILTIN: BUILTIN}.get(reference,
                                              str(Path(reference).expanduser().resolve()))
    try:
        if path:
            load_reference(reference_file(path))
    except ReferenceError as error:
        raise SessionCliError(str(error)) from None
    return _on_pose_node(nodes, reference_path=path)


def _run(args: argparse.Namespace) -> int:
    nodes = _graph(args)
    nodes, notes = choose_cameras(nodes, {"front": args.front, "side": args.side})
    for note in notes:
        print(f"[coach] {note}", file=sys.stderr)
    params_file = _params_file(args)
    nodes = _with_reference(nodes, args.reference)
    bag = None
    if args.record is not None:
        bag = args.record.expanduser().resolve()
        if bag.exists() or not bag.parent.is_dir():
            raise SessionCliError(
                f"cannot record to {args.record}: "
                f"{'it exists' if bag.exists() else 'its folder does not exist'} (a bag is "
                "written to a new folder)")
        nodes = [*nodes, NodeLaunch("squat_bringup", "session_recorder",
                                    parameters={"bag_path": str(bag)})]
    plan = SessionPlan(duration_s=args.duration, reps=args.reps, quiet=args.quiet, bag=bag)
    return run_graph(nodes, params_file, plan, args.log_dir)


def _replay(args: argparse.Namespace) -> int:
    bag = args.bag.expanduser().resolve()
    try:
        views = camera_views(bag)
    except ReplayError as error:
        raise SessionCliError(str(error)) from None
    if not views:
        raise SessionCliError(f"{args.bag} holds no camera frames to replay")
    # The cameras' places are taken by the bag; the rest of the graph runs on its clock.
    nodes = [n for n in _graph(args) if not n.camera]
    nodes = [replace(n, parameters={**n.parameters, "use_sim_time": True}) for n in nodes]
    nodes = _with_reference(nodes, args.reference)
    player = NodeLaunch("squat_bringup", "bag_player",
                        parameters={"bag_path": str(bag), "rate": args.rate})
    print(f"[coach] replaying {', '.join(views)} from {bag} at {args.rate:g}x",
          file=sys.stderr)
    return run_graph([*nodes, player], _params_file(args), SessionPlan(quiet=args.quiet),
                     args.log_dir)


def _guarded(name: str, handler: object) -> object:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (SessionCliError, RunnerError) as error:
            print(f"coach {name}: {error}", file=sys.stderr)
            return 2
    return run


run = _guarded("run", _run)
replay = _guarded("replay", _replay)
