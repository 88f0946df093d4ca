"""Benchmark: the answer sheet on the real clips. Prints figures, asserts nothing.

- cost per frame of online alignment + frame scoring (ReferenceScorer.frame), beside the
  analyzer's own per-frame cost measured in the same process;
- agreement of the online reference frame with the offline (DTW) one over each rep's moving
  span (as the score sees it: standing frames are both the end of one rep and the start of the
  next), in reference frames RMS;
- the score of every rep of every real clip against the coach's reference and the built-in.

Usage: source scripts/env.sh; python test/bench/bench_reference.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from squat_pose.alignment import align_rep
from squat_pose.analysis import SquatAnalyzer
from squat_pose.reference import builtin_reference_path, channels, load_reference
from squat_pose.reference_cli import build_reference
from squat_pose.reference_scorer import ReferenceScorer
from squat_pose.rep_scoring import moving_span
from squat_pose.video_session import analysed_frames

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "squat"
CLIPS = {
    "coach front+side": {"front": SHARED / "reference" / "coach_front.mp4",
                         "side": SHARED / "reference" / "coach_side.mp4"},
    "user front+side": {"front": SHARED / "user" / "user_front.mp4",
                        "side": SHARED / "user" / "user_side.mp4"},
    "user side": {"side": SHARED / "user" / "user_side.mp4"},
    "shallow side": {"side": SHARED / "faulty" / "shallow_side.mp4"},
    "home side": {"side": SHARED / "side_home" / "home_side.mp4"},
    "incorrect front": {"front": SHARED / "faulty" / "incorrect_front.mp4"},
}


def main() -> None:
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: nothing to measure")
        return
    coach = build_reference(CLIPS["coach front+side"], "coach")
    references = {"coach": coach, "built-in": load_reference(builtin_reference_path())}
    with tempfile.TemporaryDirectory():
        print("clip                 reference  reps  scores (per rep)              "
              "online vs DTW (frames RMS)")
        analyzer_us, scorer_us = [], []
        for clip, videos in CLIPS.items():
            analyzer = SquatAnalyzer()
            frames = []
            for frame in analysed_frames(videos, analyzer):
                frames.append(frame)
            # The analyzer's cost per frame, replayed on the same poses in this process.
            replay = SquatAnalyzer()
            started = time.perf_counter()
            for frame in frames:
                replay.update(frame.t, frame.poses.get("front"), frame.poses.get("side"))
            analyzer_us.append((time.perf_counter() - started) / len(frames) * 1e6)
            for name, reference in references.items():
                scorer = ReferenceScorer(reference)
                online, started = [], time.perf_counter()
                for frame in frames:
                    online.append(scorer.frame(frame.t, frame.analysis, frame.poses))
                scorer_us.append((time.perf_counter() - started) / len(frames) * 1e6)
                scores = [scorer.rep(report).score for report in analyzer.reports]
                rms = []
                for report in analyzer.reports:
                    rep = report.rep
                    inside = [i for i, f in enumerate(frames) if rep.start_s <= f.t <= rep.end_s]
                    angles = [channels({n: m.value for n, m in frames[i].analysis.measures
                                        .items()}) for i in inside]
                    start_s, end_s = moving_span(np.array([frames[i].t for i in inside]),
                                                 angles, rep)
                    moving = [k for k, i in enumerate(inside) if start_s <= frames[i].t <= end_s]
                    inside, angles = [inside[k] for k in moving], [angles[k] for k in moving]
                    curves = {c: np.array([a.get(c, np.nan) for a in angles])
                              for c in ("knee_flexion", "hip_flexion")}
                    offline = reference.canonical.frames[np.round(align_rep(
                        np.array([frames[i].t for i in inside]), curves, start_s,
                        rep.bottom_s, end_s, reference.canonical)).astype(int)]
                    live = np.array([online[i].reference_frame for i in inside])
                    rms.append(float(np.sqrt(np.mean((live - offline) ** 2))))
                shown = ", ".join(f"{s:.0f}" if s is not None else "-" for s in scores)
                agreement = ", ".join(f"{r:.1f}" for r in rms)
                print(f"{clip:20s} {name:9s} {len(scores):5d}  {shown:30s} {agreement}")
    print(f"\ncost per frame: online alignment + scoring {np.median(scorer_us):.0f} us "
          f"(median over clips and references; max {np.max(scorer_us):.0f} us), "
          f"the analyzer itself {np.median(analyzer_us):.0f} us: ratio "
          f"{np.median(scorer_us) / np.median(analyzer_us):.2f}; goal < 1000 us")


if __name__ == "__main__":
    main()
