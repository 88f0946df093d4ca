"""`coach reference build|show`: make an answer sheet from a coach's videos, and read one.

    coach reference build --front F --side S -o R [--name NAME]   (either view alone works)
    coach reference build --bag DIR -o R          (a recorded session: the cameras it holds)
    coach reference show R [--json]

Also `ros2 run squat_pose build_reference --front F --side S -o R` (or `--bag DIR`). An
unreadable video or bag, nobody found or no full rep is a clear error, and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from squat_common.frame_sources import SourceError
from squat_common.output_files import unwritable_reason
from squat_pose.analysis import SquatAnalyzer
from squat_pose.reference import (
    Reference,
    ReferenceError,
    ReferenceRecorder,
    RepSpan,
    load_reference,
    save_reference,
)
from squat_pose.video_session import analysed_frames, recording_fps, recordings


def build_reference(videos: dict[str, Path], name: str) -> Reference:
    """The reference of a coach's recordings (view -> video, image folder or bag)."""
    analyzer = SquatAnalyzer()
    recorder = ReferenceRecorder()
    seen = 0
    for frame in analysed_frames(videos, analyzer):
        seen += any(pose is not None for pose in frame.poses.values())
        recorder.add(frame.t, {n: m.value for n, m in frame.analysis.measures.items()},
                     frame.poses)
    if not seen:
        raise ReferenceError(f"no person found in any of the {len(recorder.times_s)} frames")
    reps = [RepSpan(r.rep.start_s, r.rep.bottom_s, r.rep.end_s, not r.faults)
            for r in analyzer.reports]
    primary = "side" if "side" in videos else "front"
    fps = recording_fps(videos[primary], primary)
    return recorder.build(name, {view: str(path) for view, path in videos.items()}, fps, reps)


def describe(reference: Reference, path: Path) -> dict[str, object]:
    """What a reference holds, as `show` prints it."""
    c = reference.canonical

    def number(value: float) -> float | None:
        return None if not math.isfinite(value) else round(value, 2)

    return {
        "path": str(path), "name": reference.name, "source": reference.source,
        "views": reference.views, "frames": len(reference.times_s),
        "duration_s": round(reference.duration_s, 2), "fps": round(reference.fps, 2),
        "reps": len(reference.reps), "clean_reps": sum(r.clean for r in reference.reps),
        "reps_in_canonical_rep": c.reps_used,
        "deepest_knee_flexion_deg": number(reference.deepest_knee_flexion_deg),
        "spread_deg": {name: {phase: number(v) for phase, v in c.phase_spread(name).items()}
                       for name in c.mean if any(math.isfinite(v)
                                                 for v in c.phase_spread(name).values())},
        "content_hash": reference.content_hash,
    }


def add_commands(commands: argparse._SubParsersAction) -> None:
    """`reference build` and `reference show` under the `coach` command."""
    reference = commands.add_parser("reference", help="build or show an answer sheet",
                                    description="The coach's reference squat (answer sheet).")
    actions = reference.add_subparsers(dest="reference_command", required=True)
    build = actions.add_parser("build", help="build a reference from a coach's video(s)")
    add_build_arguments(build)
    build.set_defaults(handler=run_build)
    show = actions.add_parser("show", help="print what a reference holds")
    show.add_argument("path", type=Path)
    show.add_argument("--json", action="store_true", help="as JSON")
    show.set_defaults(handler=run_show)


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `reference build` (and of `build_reference`)."""
    parser.add_argument("--front", type=Path, help="the coach's front-view video")
    parser.add_argument("--side", type=Path, help="the coach's side-view video")
    parser.add_argument("--bag", type=Path,
                        help="a recorded session of the coach (coach run --record)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="reference file")
    parser.add_argument("--name", default="", help="a name for it (default: the file name)")


def run_build(args: argparse.Namespace) -> int:
    """Build a reference; 0, or 2 with the reason and nothing written."""
    output: Path = args.output
    problem = unwritable_reason(output)
    if problem:
        print(f"coach reference build: {problem}", file=sys.stderr)
        return 2
    try:
        reference = build_reference(recordings(args.front, args.side, args.bag),
                                    args.name or output.stem)
        save_reference(reference, output)
    except (SourceError, ReferenceError) as error:
        print(f"coach reference build: {error}; nothing written", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"coach reference build: cannot write {output}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    summary = describe(reference, output)
    print(f"reference {summary['name']!r} written to {output}: {summary['reps']} rep(s), "
          f"{summary['reps_in_canonical_rep']} in the canonical rep, views "
          f"{', '.join(reference.views)}", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print what a reference holds; 2 when it cannot be read."""
    try:
        reference = load_reference(args.path)
    except ReferenceError as error:
        print(f"coach reference show: {error}", file=sys.stderr)
        return 2
    summary = describe(reference, args.path)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`ros2 run squat_pose build_reference`."""
    parser = argparse.ArgumentParser(prog="build_reference",
                                     description="Build a squat reference from video(s).")
    add_build_arguments(parser)
    return run_build(parser.parse_args(argv))
