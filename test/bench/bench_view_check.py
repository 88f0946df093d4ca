"""Benchmark: faults across camera placements, bodies, clothes, light and frame rates.

The robustness matrix of issue 15 on the virtual athlete, one factor at a time around the
default rig (yaw 0, cameras 1.0 m high, 3.5 m away, 1.75 m athlete, default clothes, full light,
30 fps). Each cell renders one 3-rep clip per fault, the fault injected in rep 2, and prints
per fault whether rep 2 found it ("found", with the value measured), missed it ("MISSED") or
could not judge it ("n/j"); every fault reported on a clean rep (reps 1 and 3) is a false
alarm. Also: each view's
estimated angle off its axis, and the not-judged rate. Asserts nothing.

Usage: source scripts/env.sh; python test/bench/bench_view_check.py [--quick] [--cell NAME]
[--calibrated] (--quick: yaw and height only; about a minute per clip either way;
--calibrated: in 3D, with the rig's true calibration).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.virtual_athlete_eval import evaluate, rig
from squat_virtual_athlete.spec import FAULT_UNITS, AthleteSpec, parse_faults

ALT_CLOTHES = {"shirt_bgr": (40, 40, 190), "pants_bgr": (170, 170, 170)}


@dataclass(frozen=True)
class Cell:
    name: str
    yaw_deg: float = 0.0
    height_m: float = 1.0
    distance_m: float = 3.5
    athlete: dict = field(default_factory=dict)
    light: float = 1.0
    fps: float = 30.0


CELLS = [
    Cell("default"),
    *[Cell(f"yaw {yaw:+d}", yaw_deg=yaw) for yaw in (20, -20, 40, -40)],
    *[Cell(f"height {h}", height_m=h) for h in (0.5, 1.5)],
    *[Cell(f"yaw +20 height {h}", yaw_deg=20, height_m=h) for h in (0.5, 1.5)],
    *[Cell(f"distance {d}", distance_m=d) for d in (2.5, 5.0)],
    *[Cell(f"yaw -20 distance {d}", yaw_deg=-20, distance_m=d) for d in (2.5, 5.0)],
    *[Cell(f"body {h} m", athlete={"height_m": h}) for h in (1.55, 1.95)],
    Cell("other clothes", athlete=ALT_CLOTHES),
    Cell("dim light", light=0.35),
    Cell("60 fps", fps=60.0),
]
QUICK = {"default", "yaw +20", "yaw -20", "yaw +40", "height 0.5", "height 1.5"}


def run_cell(cell: Cell, calibrated: bool) -> None:
    cameras = rig(cell.yaw_deg, cell.height_m, cell.distance_m)
    outcomes, false_alarms, judged, offered, offs = [], [], 0, 0, {}
    started = time.perf_counter()
    for fault in FAULT_UNITS:
        spec = replace(AthleteSpec(reps=3, faults=parse_faults(f"{fault}@2")), **cell.athlete)
        result = evaluate(spec, cameras, cell.fps, cell.light, calibrated)
        offs = {view: status.off_axis_deg for view, status in result.view_status.items()}
        reps = {report.rep.index: report for report in result.reports}
        if 2 not in reps or len(reps) != 3:
            outcomes.append(f"{fault}: {len(reps)} reps")
            continue
        unjudged = {item.code for item in reps[2].not_judged}
        offered += len(FAULT_UNITS)
        judged += len(FAULT_UNITS) - len(unjudged & set(FAULT_UNITS))
        value = next((f.value for f in reps[2].faults if f.code == fault), None)
        state = ("n/j" if fault in unjudged else
                 "MISSED" if value is None else f"found {value:.2f}")
        outcomes.append(f"{fault} {state}")
        false_alarms += [f"rep {i} {code}" for i in (1, 3) for code in reps[i].fault_codes]
    seconds = time.perf_counter() - started
    angles = ", ".join(f"{view} {off:.0f}" if off is not None else f"{view} -"
                       for view, off in offs.items())
    print(f"{cell.name:22s} | {'; '.join(outcomes)} | false on clean reps: "
          f"{len(false_alarms)} {false_alarms if false_alarms else ''}| not judged "
          f"{1 - judged / max(offered, 1):.0%} | off axis deg: {angles} | {seconds:.0f} s",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="yaw and height cells only")
    parser.add_argument("--cell", action="append", help="only this cell (repeatable)")
    parser.add_argument("--calibrated", action="store_true",
                        help="judge in 3D with the rig's true calibration")
    args = parser.parse_args()
    for cell in CELLS:
        if (args.quick and cell.name not in QUICK) or (args.cell and cell.name not in args.cell):
            continue
        run_cell(cell, args.calibrated)


if __name__ == "__main__":
    main()
