"""Benchmark: the virtual athlete's rendering speed, and MediaPipe on it against the truth.

Prints: ms per 640x480 frame per camera (pose + render, and render alone) and the frame rate
one core sustains; per view the detection rate and the knee-angle RMSE (against the same
definition on the true 2D landmarks, and against the true 3D angle), for 5 clean reps and for
each fault injected; and how the analyzer's fault reports match the injected faults.
Asserts nothing. Usage: source scripts/env.sh; python test/bench/bench_virtual_athlete.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.virtual_athlete_eval import ViewResult, evaluate
from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import FAULT_UNITS, AthleteSpec, parse_faults


def render_speed() -> None:
    session = VirtualSession(AthleteSpec(), [VirtualCamera.default(v) for v in ("front", "side")])
    frames = int(session.program.duration_s * 30)
    for view in ("front", "side"):
        total = render_only = 0.0
        for index in range(frames):
            start = time.perf_counter()
            instant = session.at(index / 30)
            middle = time.perf_counter()
            session.render(view, instant, index)
            end = time.perf_counter()
            total += end - start
            render_only += end - middle
        per_frame = total / frames * 1e3
        print(f"render {view}: {per_frame:.2f} ms/frame with posing, "
              f"{render_only / frames * 1e3:.2f} ms rendering alone, "
              f"{1000 / per_frame:.0f} fps on one core ({frames} frames)")


def report(label: str, spec: AthleteSpec) -> None:
    result = evaluate(spec)
    for view, r in result.views.items():
        print(f"{label:20s} {view:5s} detected {r.detected}/{r.frames} = "
              f"{r.detection_rate:.3f}; knee RMSE {ViewResult.rmse(r.knee_vs_projection):5.1f} "
              f"deg vs projected truth, {ViewResult.rmse(r.knee_vs_3d):5.1f} deg vs 3D truth")
    found = [set(rep.fault_codes) for rep in result.reports]
    print(f"{label:20s} reps: truth {len(result.truth_rep_faults)}, analyzer {len(found)}; "
          f"faults per rep truth {[sorted(f) for f in result.truth_rep_faults]} "
          f"analyzer {[sorted(f) for f in found]}")


def main() -> None:
    render_speed()
    report("clean, 5 reps", AthleteSpec())
    for fault in FAULT_UNITS:
        report(fault, AthleteSpec(reps=3, faults=parse_faults(f"{fault}@2")))


if __name__ == "__main__":
    main()
