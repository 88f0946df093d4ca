"""`coach analyze`: the squat analysis of recordings, offline, without a ROS graph.

Runs the same estimator and analyzer as pose_node on a front and/or a side video (or image
folder), or on the two cameras of a session bag (`--bag`), and writes
{"reps": [...], "frames": N, "detected": N (a person in every view), "seen": N (in any view),
"reference": name} as JSON. With both views, each side frame is paired
with the front frame nearest in time (the files are played as two cameras started together).
With `--reference`, every rep is scored against that answer sheet and its largest deviations
are listed. With `--calibration` (both views needed), the measures come from the landmarks
triangulated with that rig calibration and every fault is judged in 3D. With `--per-frame`,
"per_frame" lists every analysed frame: its time, its measures and (with a calibration) its 3D
landmarks by MediaPipe name, metres in the calibration's world frame, null where not
triangulated.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from squat_common.frame_sources import SourceError
from squat_common.names import SEVERITY_NAMES
from squat_common.output_files import unwritable_reason
from squat_common.rig_calibration import CalibrationError, RigCalibration, load_rig
from squat_pose.analysis import FrameAnalysis, RepReport, SquatAnalyzer
from squat_pose.landmarks import LANDMARK_NAMES
from squat_pose.reference import (
    BUILTIN,
    Reference,
    ReferenceError,
    load_reference,
    reference_file,
)
from squat_pose.reference_scorer import ReferenceScorer
from squat_pose.video_session import analysed_frames, frame_count, recordings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `coach analyze`."""
    parser.add_argument("--front", type=Path, help="video of the front view")
    parser.add_argument("--side", type=Path, help="video of the side view")
    parser.add_argument("--bag", type=Path,
                        help="a recorded session (coach run --record): both its cameras")
    parser.add_argument("--json", type=Path, required=True, dest="json_path",
                        help="where to write the result ('-' for stdout)")
    parser.add_argument("--reference", default=BUILTIN,
                        help="score every rep against this reference (coach reference build); "
                             f"default {BUILTIN}: the built-in textbook squat; 'none': no "
                             "scores")
    parser.add_argument("--per-frame", action="store_true", dest="per_frame",
                        help="also list every frame's measures (and 3D landmarks)")
    parser.add_argument("--calibration", type=Path,
                        help="rig calibration of the front and side cameras (YAML): judge "
                             "every fault in 3D from the triangulated landmarks")


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
        "deviations": [{"angle": d.channel, "phase": d.phase, "degrees": _number(d.degrees)}
                       for d in report.deviations],
        "faults": [{"code": f.code, "value": _number(f.value), "threshold": f.threshold,
                    "unit": f.unit, "severity": SEVERITY_NAMES[f.severity], "view": f.view,
                    "confidence": _number(f.confidence)}
                   for f in report.faults],
        "not_judged": [{"code": item.code, "reason": item.reason}
                       for item in report.not_judged],
    }


class _Progress:
    def __init__(self, total: int) -> None:
        self.total, self.done = max(total, 1), 0

    def step(self) -> None:
        self.done += 1
        if self.done % 10 == 0 or self.done == self.total:
            filled = int(30 * min(self.done, self.total) / self.total)
            sys.stderr.write(f"\ranalyze [{'#' * filled}{'.' * (30 - filled)}] "
                             f"{self.done}/{self.total} frames")
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def frame_json(analysis: FrameAnalysis) -> dict[str, Any]:
    """One frame as `--per-frame` writes it."""
    landmarks = analysis.landmarks_3d
    return {
        "time_s": _number(analysis.t),
        "landmarks_3d": None if landmarks is None else {
            name: ([round(float(v), 4) for v in point] if np.all(np.isfinite(point)) else None)
            for name, point in zip(LANDMARK_NAMES, landmarks.points, strict=True)},
        "angles": {name: _number(measure.value)
                   for name, measure in sorted(analysis.measures.items())},
    }


def analyze(videos: dict[str, Path], reference: Reference | None = None,
            rig: RigCalibration | None = None, per_frame: bool = False) -> dict[str, Any]:
    """The analysis of recordings (view -> path), scored against `reference` when given, in
    3D with the calibration `rig` when given, with every frame's measures when `per_frame`."""
    analyzer = SquatAnalyzer(rig=rig)
    scorer = ReferenceScorer(reference) if reference else None
    primary = "side" if "side" in videos else "front"
    progress = _Progress(frame_count(videos[primary], primary))
    frames = detected = seen = 0
    listed = []
    for frame in analysed_frames(videos, analyzer, progress.step):
        frames += 1
        if per_frame:
            listed.append(frame_json(frame.analysis))
        detected += all(pose is not None for pose in frame.poses.values())
        seen += any(pose is not None for pose in frame.poses.values())
        if scorer is not None:
            scorer.frame(frame.t, frame.analysis, frame.poses)
    reps = [rep_json(scorer.rep(report) if scorer else report) for report in analyzer.reports]
    result = {"reps": reps, "frames": frames, "detected": detected, "seen": seen,
              "reference": reference.name if reference else None}
    if per_frame:
        result["per_frame"] = listed
    return result


def run(args: argparse.Namespace) -> int:
    """Run `coach analyze` with parsed arguments; 0 on success, 1 when nobody was found, 2 on
    bad input (said before any frame is analysed where it can be)."""
    to_stdout = str(args.json_path) == "-"
    problem = None if to_stdout else unwritable_reason(args.json_path)
    if problem:
        print(f"coach analyze: {problem}", file=sys.stderr)
        return 2
    try:
        videos = recordings(args.front, args.side, args.bag)
        rig = None
        if args.calibration is not None:
            if set(videos) != {"front", "side"}:
                raise CalibrationError("--calibration needs both views (--front and --side, "
                                       "or a bag with both cameras)")
            rig = load_rig(args.calibration, ("front", "side"))
        reference = (None if args.reference == "none"
                     else load_reference(reference_file(args.reference)))
        result = analyze(videos, reference, rig, args.per_frame)
    except (SourceError, ReferenceError, CalibrationError) as error:
        print(f"coach analyze: {error}", file=sys.stderr)
        return 2
    if not result["seen"]:
        print(f"coach analyze: no person found in any of {result['frames']} frames",
              file=sys.stderr)
        return 1
    text = json.dumps(result, indent=2, allow_nan=False)
    if to_stdout:
        print(text)
    else:
        args.json_path.write_text(text + "\n")
    return 0
