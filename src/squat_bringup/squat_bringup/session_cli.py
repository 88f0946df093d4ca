"""`coach run` and `coach replay`: a session of the node graph, shown as it goes.

Both start the graph's nodes through the runner (squat_bringup.runner), which prints each rep
and its feedback and the summary; `run` puts cameras (or the virtual athlete) in front, `replay`
a recorded bag on sim time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from squat_bringup.graph import GraphError, default_graph_file, default_params_file, load_graph
from squat_bringup.replay_settings import ReplaySettings
from squat_bringup.runner import RunnerError, SessionPlan, refuse_a_second_session, run_graph
from squat_bringup.session_graph import (
    RECORDER,
    SessionGraphError,
    camera_check,
    live_session,
    replay_session,
)
from squat_common.cli_errors import said_in_one_line
from squat_common.cli_numbers import number
from squat_common.settings import with_values
from squat_feedback.language import LANGUAGES


class SessionCliError(RuntimeError):
    """A user's mistake, said in one line."""


_positive_seconds = number(float, above=0.0, what="a positive number of seconds")
_positive_count = number(int, above=0, what="a positive number of reps")
# pose_node judges a view from its last 3 s of frames (squat_pose.view_check.ViewMonitor).
CHECK_SECONDS = 4.0


def _rate(text: str) -> float:
    value = number(float)(text)
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
    parser.add_argument("--calibration", type=Path,
                        help="rig calibration of the front and side cameras (YAML): judge "
                             "every fault in 3D from the triangulated landmarks")
    parser.add_argument("--language", choices=LANGUAGES,
                        help="language of the cues and the rep feedback (default: the "
                             "locale's, Korean for a ko_* locale); questions are answered in "
                             "their own")
    parser.add_argument("--quiet", action="store_true",
                        help="print only the session summary, not each rep and its feedback")
    parser.add_argument("--log-dir", type=Path,
                        help="folder for the nodes' logs (default: a new one under "
                             "~/.ros/squat_coach/sessions)")


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    """The options of `coach run`."""
    run.add_argument("--front", help="front camera: a V4L2 device, video file, folder or "
                                     "'virtual' (the default: the rendered athlete)")
    run.add_argument("--side", help="side camera: a V4L2 device, video file, folder or "
                                    "'virtual'")
    _common_arguments(run)
    ends = run.add_mutually_exclusive_group()
    ends.add_argument("--reps", type=_positive_count,
                      help="end once this many reps are done and coached")
    ends.add_argument("--duration", type=_positive_seconds, help="end after this many seconds")
    run.add_argument("--record", type=Path, metavar="DIR",
                     help="record the session to a new rosbag2 bag folder (MCAP)")
    run.add_argument("--speak", action="store_true",
                     help="say each rep's cue out loud (speech_node, espeak-ng)")


def add_check_cameras_arguments(check: argparse.ArgumentParser) -> None:
    """The options of `coach check-cameras`."""
    check.add_argument("--front", help="front camera, as for coach run")
    check.add_argument("--side", help="side camera, as for coach run")
    check.add_argument("--seconds", type=_positive_seconds, default=CHECK_SECONDS,
                       help="how long to watch the athlete standing once both views are "
                            f"judged (default {CHECK_SECONDS:g})")
    check.add_argument("--graph", type=Path, help="another node graph YAML")
    check.add_argument("--params-file", type=Path,
                       help="a ros__parameters YAML for every node")
    check.add_argument("--log-dir", type=Path, help="folder for the nodes' logs")


def add_replay_arguments(replay: argparse.ArgumentParser) -> None:
    """The options of `coach replay`."""
    replay.add_argument("bag", type=Path, help="a session bag (coach run --record)")
    replay.add_argument("--rate", type=_rate, default=ReplaySettings().rate,
                        help=f"playback speed (default {ReplaySettings().rate:g})")
    _common_arguments(replay)


def _refuse_a_second_session(args: argparse.Namespace) -> None:
    try:
        # Before anything is chosen or started: nothing of this session may reach the other.
        refuse_a_second_session(load_graph(args.graph or default_graph_file()))
    except GraphError as error:
        raise SessionCliError(str(error)) from None


def _params_file(args: argparse.Namespace) -> Path:
    params_file = args.params_file or default_params_file()
    if not params_file.is_file():
        raise SessionCliError(f"no parameters file {params_file}")
    return params_file


def _run(args: argparse.Namespace) -> int:
    _refuse_a_second_session(args)
    params_file = _params_file(args)
    nodes, notes = live_session(args.front, args.side, args.reference, args.record, args.graph,
                                args.speak, args.calibration, args.language)
    for note in notes:
        print(f"[coach] {note}", file=sys.stderr)
    bag = next((Path(n.parameters["bag_path"]) for n in nodes
                if (n.package, n.executable) == RECORDER), None)
    plan = SessionPlan(duration_s=args.duration, reps=args.reps, quiet=args.quiet, bag=bag)
    return run_graph(nodes, params_file, plan, args.log_dir)


def _check_cameras(args: argparse.Namespace) -> int:
    _refuse_a_second_session(args)
    params_file = _params_file(args)
    nodes, notes = camera_check(args.front, args.side, args.graph)
    for note in notes:
        print(f"[coach] {note}", file=sys.stderr)
    print("[coach] stand still where you squat, facing the front camera", file=sys.stderr)
    return run_graph(nodes, params_file, SessionPlan(check_views_s=args.seconds, quiet=True),
                     args.log_dir)


def _replay(args: argparse.Namespace) -> int:
    params_file = _params_file(args)
    nodes, notes = replay_session(args.bag, args.rate, args.reference, args.graph,
                                  args.calibration, args.language)
    _refuse_a_second_session(args)
    for note in notes:
        print(f"[coach] {note}", file=sys.stderr)
    return run_graph(nodes, params_file, SessionPlan(quiet=args.quiet), args.log_dir)


_ERRORS = (SessionCliError, SessionGraphError, GraphError, RunnerError)
run = said_in_one_line("coach run", _ERRORS, _run)
replay = said_in_one_line("coach replay", _ERRORS, _replay)
check_cameras = said_in_one_line("coach check-cameras", _ERRORS, _check_cameras)
