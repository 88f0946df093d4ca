"""The built-in reference: a textbook squat from the virtual athlete's clean motion.

Where its angles come from: the virtual athlete's default session (squat_virtual_athlete's
AthleteSpec: 1.75 m adult with Drillis & Contini / Winter segment lengths, 5 reps to a 50 deg
hip-knee-ankle angle, i.e. 130 deg of knee flexion, below parallel; feet planted, 15 deg
toe-out, trunk balanced over the mid-foot; 1.6 s down, 0.3 s at the bottom, 1.2 s up, the
1-2 s lowering the ACSM position stand recommends; rep-to-rep variation of +-3 deg depth and
+-8 % tempo). Its exact landmarks, projected into the default front and side cameras (3.5 m
away, lens at 1 m), go through the same measures, smoothing and rep segmentation as a live
session; nothing is estimated, so the file is the same wherever it is made.

    python -m squat_bringup.builtin_reference -o src/squat_pose/references/builtin.json

writes the file squat_pose ships (a test checks the shipped one is what this makes).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from squat_pose.analysis import SquatAnalyzer
from squat_pose.landmarks import LANDMARK_NAMES
from squat_pose.pose_estimation import PoseResult, in_normalized
from squat_pose.reference import Reference, ReferenceRecorder, RepSpan, save_reference
from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.ground_truth import view_truth
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import AthleteSpec

FPS = 30.0
NAME = "built-in: virtual athlete, textbook bodyweight squat"
VISIBLE, HIDDEN = 0.99, 0.2


def truth_pose(truth: dict[str, dict], width: int, height: int) -> PoseResult:
    """A PoseResult of the exact landmarks of one camera (hidden ones barely visible)."""
    pixels = np.array([truth[name]["pixel"] for name in LANDMARK_NAMES], dtype=float)
    visibility = np.array([HIDDEN if truth[name]["occluded"] or not truth[name]["in_image"]
                           else VISIBLE for name in LANDMARK_NAMES])
    return PoseResult(width=width, height=height, pixels=pixels,
                      normalized=in_normalized(pixels, width, height), z=np.zeros(33),
                      visibility=visibility, presence=visibility.copy(),
                      world=np.zeros((33, 3)))


def truth_frames(spec: AthleteSpec, cameras: list[VirtualCamera]
                 ) -> Iterator[tuple[float, dict[str, PoseResult]]]:
    """(time, exact pose per camera) of every frame of the athlete's session at FPS."""
    session = VirtualSession(spec, cameras)
    for index in range(int(session.program.duration_s * FPS)):
        t = index / FPS
        instant = session.at(t)
        yield t, {c.name: truth_pose(view_truth(c, instant.parts, instant.skeleton.landmarks),
                                     c.width, c.height) for c in cameras}


def builtin_reference() -> Reference:
    """The built-in reference, made from the virtual athlete's exact landmarks."""
    cameras = [VirtualCamera.default("front"), VirtualCamera.default("side")]
    analyzer, recorder = SquatAnalyzer(), ReferenceRecorder()
    for t, poses in truth_frames(AthleteSpec(), cameras):
        analysis = analyzer.update(t, poses["front"], poses["side"])
        recorder.add(t, {n: m.value for n, m in analysis.measures.items()}, poses)
    analyzer.finish()
    reps = [RepSpan(r.rep.start_s, r.rep.bottom_s, r.rep.end_s, not r.faults)
            for r in analyzer.reports]
    return recorder.build(NAME, {"front": "virtual athlete (default front camera)",
                                 "side": "virtual athlete (default side camera)"}, FPS, reps)


def main(argv: list[str] | None = None) -> int:
    """Write the built-in reference."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    reference = builtin_reference()
    save_reference(reference, args.output)
    print(f"{args.output}: {len(reference.reps)} reps, hash {reference.content_hash}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
