"""`coach analyze`: the squat analysis of video files, offline, without a ROS graph.

Runs the same estimator and analyzer as pose_node on a front and/or a side video and writes
{"reps": [...], "frames": N, "detected": N} as JSON. With both views, each side frame is paired
with the front frame nearest in time (the files are played as two cameras started together).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from squat_common.frame_sources import CapturedFrame, SourceError, VideoFileSource
from squat_common.names import SEVERITY_NAMES
from squat_pose.analysis import RepReport, SquatAnalyzer
from squat_pose.pose_estimation import MultiViewEstimator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `coach analyze`."""
    parser.add_argument("--front", type=Path, help="video of the front view")
    parser.add_argument("--side", type=Path, help="video of the side view")
    parser.add_argument("--json", type=Path, required=True, dest="json_path",
                        help="where to write the result ('-' for stdout)")


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 3)


def rep_json(report: RepReport) -> dict[str, Any]:
    """One rep as the CLI writes it."""
    rep = report.rep
    return {
        "index": rep.index,
        "start_s": _number(rep.start_s),
        "bottom_s": _number(rep.bottom_s),
        "end_s": _number(rep.end_s),
        "min_knee_angle_deg": _number(report.min_knee_angle_deg),
        "max_trunk_lean_deg": _number(report.max_trunk_lean_deg),
        "max_knee_valgus_deg": _number(report.max_knee_valgus_deg),
        "score": _number(report.score),
        "faults": [{"code": f.code, "value": _number(f.value), "threshold": f.threshold,
                    "severity": SEVERITY_NAMES[f.severity]} for f in report.faults],
    }


def _open(path: Path) -> VideoFileSource:
    # As fast as frames decode: no pacing, stamps are the file's own frame times.
    source = VideoFileSource(path, now_ns=lambda: 0, sleep=lambda _: None)
    source.open()
    return source


class _Progress:
    def __init__(self, total: int) -> None:
        self.total, self.done = max(total, 1), 0

    def step(self) -> None:
        self.done += 1
        if self.done % 10 == 0 or self.done == self.total:
            filled = int(30 * self.done / self.total)
            sys.stderr.write(f"\ranalyze [{'#' * filled}{'.' * (30 - filled)}] "
                             f"{self.done}/{self.total} frames")
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def analyze(front: Path | None, side: Path | None) -> dict[str, Any]:
    """The analysis of one or two videos."""
    sources = {view: _open(path) for view, path in (("front", front), ("side", side)) if path}
    primary = "side" if "side" in sources else "front"
    other = "front" if primary == "side" else None
    estimator = MultiViewEstimator(tuple(sources))
    analyzer = SquatAnalyzer()
    frames = detected = 0
    lookahead: CapturedFrame | None = None
    current_other: CapturedFrame | None = None
    progress = _Progress(_frame_count(side or front))
    try:
        while (frame := sources[primary].read()) is not None:
            if other in sources:
                # Advance the other view to its frame nearest this one in time.
                while True:
                    if lookahead is None:
                        lookahead = sources[other].read()
                    if lookahead is None or (current_other is not None and \
                            abs(lookahead.stamp_ns - frame.stamp_ns) > \
                            abs(current_other.stamp_ns - frame.stamp_ns)):
                        break
                    current_other, lookahead = lookahead, None
            images = {primary: frame.image}
            if other in sources:
                images[other] = current_other.image if current_other else None
            poses = estimator.estimate(images)
            frames += 1
            detected += all(pose is not None for pose in poses.values())
            analyzer.update(frame.stamp_ns / 1e9, poses.get("front"), poses.get("side"))
            progress.step()
        analyzer.finish()
    finally:
        estimator.close()
        for source in sources.values():
            source.close()
    return {"reps": [rep_json(r) for r in analyzer.reports], "frames": frames,
            "detected": detected}


def _frame_count(path: Path) -> int:
    import cv2

    capture = cv2.VideoCapture(str(path))
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    capture.release()
    return count


def run(args: argparse.Namespace) -> int:
    """Run `coach analyze` with parsed arguments; 0 on success, 2 on bad input."""
    if args.front is None and args.side is None:
        print("coach analyze: give --front, --side or both", file=sys.stderr)
        return 2
    try:
        result = analyze(args.front, args.side)
    except SourceError as error:
        print(f"coach analyze: {error}", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=2)
    if str(args.json_path) == "-":
        print(text)
    else:
        args.json_path.write_text(text + "\n")
    return 0
