"""Benchmark: faults across camera placements, bodies, clothes, light, frame rates and tempos.

The robustness matrix of issue 15 on the virtual athlete, around the default rig (yaw 0, cameras
1.0 m high, 3.5 m away, 1.75 m athlete, default clothes, full light, 30 fps, default tempo): one
factor at a time, and yaw +-20 deg crossed with every camera height and distance. Each cell
renders one 7-rep clip: reps 1 and 7 clean, one fault injected in each of reps 2-6 (FAULT_UNITS'
order).
Per cell, per fault: "found" (with the value measured) in its rep, "MISSED", or "n/j" (not
judged: the view check said the cameras cannot see it); every fault read on a rep it was not
injected in is a false alarm, listed. At the end, per fault over all cells: recall (found /
judged), precision (found / all readings of it), the not-judged rate, and the false alarms on
clean reps. Asserts nothing.

Usage: source scripts/env.sh; python test/bench/bench_view_check.py [--quick] [--cell NAME]
[--calibrated] [--jobs N] (about 3.5 min per cell, cells run N at a time; the 36 cells take
~64 min at --jobs 2 on 2 cores; --quick: yaw and height only; --calibrated: in 3D, with the
rig's true calibration).
"""

from __future__ import annotations

import argparse
import multiprocessing
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
    *[Cell(f"yaw {yaw:+d}", yaw_deg=yaw) for yaw in (10, -10, 20, -20, 40, -40)],
    *[Cell(f"height {h}", height_m=h) for h in (0.5, 1.5)],
    *[Cell(f"distance {d}", distance_m=d) for d in (2.5, 5.0)],
    *[Cell(f"yaw {yaw:+d} height {h} distance {d}", yaw_deg=yaw, height_m=h, distance_m=d)
      for yaw in (20, -20) for h in (0.5, 1.0, 1.5) for d in (2.5, 3.5, 5.0)],
    *[Cell(f"body {h} m", athlete={"height_m": h}) for h in (1.55, 1.95)],
    Cell("other clothes", athlete=ALT_CLOTHES),
    Cell("dim light", light=0.35),
    Cell("60 fps", fps=60.0),
    # Slow and brisk tempos (the default: 1.6 s down, 0.3 s held, 1.2 s up, 1 s standing); the
    # brisk descent stays above fast_descent's 1.0 s, so a clean brisk rep must read clean.
    Cell("tempo slow", athlete={"descent_s": 2.5, "pause_s": 1.0, "ascent_s": 2.0}),
    Cell("tempo brisk", athlete={"descent_s": 1.25, "pause_s": 0.0, "ascent_s": 0.8,
                                 "rest_s": 0.6}),
]
QUICK = {"default", "yaw +20", "yaw -20", "yaw +40", "height 0.5", "height 1.5"}
FAULTS = list(FAULT_UNITS)
# Rep of each injected fault: a clean rep before and after them.
FAULT_REP = {fault: rep for rep, fault in enumerate(FAULTS, start=2)}
CLEAN_REPS = (1, len(FAULTS) + 2)


@dataclass
class Tally:
    """One fault over the cells run."""

    found: int = 0
    missed: int = 0
    not_judged: int = 0
    false_alarms: int = 0  # read on a rep it was not injected in
    on_clean_reps: int = 0

    def line(self, fault: str) -> str:
        judged = self.found + self.missed
        readings = self.found + self.false_alarms
        offered = judged + self.not_judged
        return (f"{fault:19s} recall {self.found}/{judged} = {_share(self.found, judged)}  "
                f"precision {self.found}/{readings} = {_share(self.found, readings)}  "
                f"not judged {_share(self.not_judged, offered)}  "
                f"on clean reps {self.on_clean_reps}")


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "-"


def run_cell(cell: Cell, calibrated: bool) -> tuple[str, dict[str, Tally]]:
    """The cell's printed line, and its counts per fault."""
    started = time.perf_counter()
    spec = replace(AthleteSpec(reps=len(FAULTS) + 2, faults=parse_faults(
        "; ".join(f"{fault}@{rep}" for fault, rep in FAULT_REP.items()))), **cell.athlete)
    result = evaluate(spec, rig(cell.yaw_deg, cell.height_m, cell.distance_m), cell.fps,
                      cell.light, calibrated)
    tallies = {fault: Tally() for fault in FAULTS}
    reps = {report.rep.index: report for report in result.reports}
    if sorted(reps) != list(range(1, len(FAULTS) + 3)):
        return f"{cell.name:32s} | reps counted: {sorted(reps)}", tallies
    outcomes, false_alarms = [], []
    for fault, rep in FAULT_REP.items():
        report = reps[rep]
        value = next((f.value for f in report.faults if f.code == fault), None)
        if fault in {item.code for item in report.not_judged}:
            tallies[fault].not_judged += 1
            outcomes.append(f"{fault} n/j")
        elif value is None:
            tallies[fault].missed += 1
            outcomes.append(f"{fault} MISSED")
        else:
            tallies[fault].found += 1
            outcomes.append(f"{fault} found {value:.2f}")
    for index, report in reps.items():
        for fault in report.faults:
            code = fault.code
            if FAULT_REP.get(code) == index:
                continue
            false_alarms.append(f"rep {index} {code} {fault.value:.2f} {fault.unit}")
            if code in tallies:
                tallies[code].false_alarms += 1
                tallies[code].on_clean_reps += index in CLEAN_REPS
    angles = ", ".join(f"{view} {status.off_axis_deg:.0f}"
                       if status.off_axis_deg is not None else f"{view} -"
                       for view, status in result.view_status.items())
    line = (f"{cell.name:32s} | {'; '.join(outcomes)} | false alarms {len(false_alarms)} "
            f"{false_alarms if false_alarms else ''}| off axis deg: {angles} | "
            f"{time.perf_counter() - started:.0f} s")
    return line, tallies


def _run(job: tuple[Cell, bool]) -> tuple[str, dict[str, Tally]]:
    return run_cell(*job)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="yaw and height cells only")
    parser.add_argument("--cell", action="append", help="only this cell (repeatable)")
    parser.add_argument("--calibrated", action="store_true",
                        help="judge in 3D with the rig's true calibration")
    parser.add_argument("--jobs", type=int, default=1, help="cells rendered at once")
    args = parser.parse_args()
    jobs = [(cell, args.calibrated) for cell in CELLS
            if not (args.quick and cell.name not in QUICK)
            and not (args.cell and cell.name not in args.cell)]
    totals = {fault: Tally() for fault in FAULTS}
    with multiprocessing.get_context("spawn").Pool(max(1, args.jobs)) as pool:
        for line, tallies in pool.imap(_run, jobs):
            print(line, flush=True)
            for fault, tally in tallies.items():
                for name in vars(tally):
                    setattr(totals[fault], name, getattr(totals[fault], name)
                            + getattr(tally, name))
    print(f"\nover {len(jobs)} cells ({'3D, true calibration' if args.calibrated else '2D'}):")
    for fault, tally in totals.items():
        print(tally.line(fault))


if __name__ == "__main__":
    main()
