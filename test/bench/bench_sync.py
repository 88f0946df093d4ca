"""Benchmark: pairing two free-running 30 fps cameras, 5 minutes of simulated time per run.

Each run draws a random phase between the cameras and ±3 ms of capture jitter per frame, then
reports the pairing rate (pairs / frames of the shorter stream), p99 |Δt| as a ratio of the
physical bound for unsynchronised cameras (half a frame period, 16.7 ms) and the CPU time per
pair. Runs squat_pose's synchroniser and, where installed, message_filters' on the same frames.
Prints figures; asserts nothing. Usage: source scripts/env.sh; python test/bench/bench_sync.py
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src" / "squat_pose" / "test"))

from squat_pose import approximate_sync
from squat_pose.sync_seam import message_filters_module
from sync_streams import MS, PERIOD_NS, SLOP_S, Frame, stream

FRAMES = 30 * 300
BOUND_MS = PERIOD_NS / 2 / 1e6


def pair_up(module, frames: list[Frame], slop_s: float) -> tuple[list[float], float]:
    """Feed frames in arrival order; return |Δt| (ms) of every pair and CPU seconds taken."""
    inputs = [module.SimpleFilter(), module.SimpleFilter()]
    synchronizer = module.ApproximateTimeSynchronizer(inputs, 10, slop_s)
    deltas: list[float] = []
    synchronizer.registerCallback(
        lambda front, side: deltas.append(abs(front.stamp_ns - side.stamp_ns) / 1e6))
    ordered = sorted(frames, key=lambda f: (f.arrival_ns, f.topic))
    start = time.process_time()
    for frame in ordered:
        inputs[frame.topic].signalMessage(frame)
    return deltas, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    implementations = [("squat_pose", approximate_sync)]
    if message_filters_module() is not None:
        implementations.append(("message_filters", message_filters_module()))
    else:
        print("message_filters is not installed: squat_pose's implementation only")

    phases = [rng.uniform(-PERIOD_NS / 2, PERIOD_NS / 2) for _ in range(args.runs)]
    phases.append(PERIOD_NS / 2 - 0.5 * MS)  # the worst case: partners half a period apart
    print(f"{FRAMES} frames per camera (5 min at 30 fps), jitter ±3 ms, queue 10")
    print(f"{'impl':16s} {'slop ms':>7s} {'phase ms':>8s} {'pairing':>8s} {'p99|dt| ms':>10s} "
          f"{'p99/bound':>9s} {'CPU us/pair':>11s}")
    for slop_factor in (0.5, 0.6):
        slop_s = SLOP_S * slop_factor / 0.5
        for name, module in implementations:
            rates, ratios, costs = [], [], []
            for run, phase in enumerate(phases):
                frames = (stream(0, FRAMES, jitter_ns=3 * MS, seed=2 * run)
                          + stream(1, FRAMES, offset_ns=round(phase), jitter_ns=3 * MS,
                                   seed=2 * run + 1))
                deltas, cpu_s = pair_up(module, frames, slop_s)
                rate = len(deltas) / FRAMES
                p99 = float(np.percentile(deltas, 99)) if deltas else float("nan")
                cost = cpu_s / max(len(deltas), 1) * 1e6
                print(f"{name:16s} {slop_s * 1e3:7.2f} {phase / MS:8.2f} {rate:8.4f} "
                      f"{p99:10.2f} {p99 / BOUND_MS:9.3f} {cost:11.1f}")
                if run < args.runs:
                    rates.append(rate)
                    ratios.append(p99 / BOUND_MS)
                    costs.append(cost)
            print(f"{name:16s} {slop_s * 1e3:7.2f} {'random':>8s} "
                  f"min {min(rates):.4f} mean {np.mean(rates):.4f}, p99/bound max "
                  f"{max(ratios):.3f}, CPU {np.mean(costs):.1f} us/pair "
                  f"({np.mean(costs) / (PERIOD_NS / 1e3):.2%} of a frame period)")


if __name__ == "__main__":
    main()
