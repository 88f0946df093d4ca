"""A finished rep as the feedback chain sees it: measurements and faults, without ROS types.

Built from a squat_msgs/RepSummary by the node and from `coach analyze` JSON by the CLI.
Imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from squat_common.names import SEVERITY_NAMES


@dataclass(frozen=True)
class FaultFinding:
    """One fault of a rep: the measured value and the threshold it crossed."""

    code: str
    value: float
    threshold: float
    unit: str
    severity: int = 2


@dataclass(frozen=True)
class Deviation:
    """One place the rep differed from the reference: angle, phase, degrees (rep minus
    reference)."""

    angle: str
    phase: str
    degrees: float


@dataclass(frozen=True)
class RepContext:
    """What the coach knows about one rep (NaN: not measured)."""

    rep_index: int
    min_knee_angle_deg: float = math.nan
    max_trunk_lean_deg: float = math.nan
    max_knee_valgus_deg: float = math.nan
    descent_s: float = math.nan
    ascent_s: float = math.nan
    score: float = math.nan
    faults: tuple[FaultFinding, ...] = field(default_factory=tuple)
    # Where the rep differed most from the reference, worst first.
    deviations: tuple[Deviation, ...] = field(default_factory=tuple)

    @property
    def fault_codes(self) -> list[str]:
        return [f.code for f in self.faults]

    def numbers(self) -> set[str]:
        """Every number this rep may be described with, as the text would write it."""
        values = [self.rep_index, self.min_knee_angle_deg, self.max_trunk_lean_deg,
                  self.max_knee_valgus_deg, self.descent_s, self.ascent_s, self.score]
        for fault in self.faults:
            values += [fault.value, fault.threshold]
        values += [abs(d.degrees) for d in self.deviations]
        written = set()
        for value in values:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            written |= {format_number(value), str(round(value)), f"{value:.0f}"}
        return written


def format_number(value: float) -> str:
    """How the coach writes a measured number: one decimal (two significant digits below 1),
    no trailing .0."""
    text = f"{value:.2g}" if abs(value) < 1 else f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def rep_from_analysis(rep: dict) -> RepContext:
    """A RepContext from one rep of `coach analyze` JSON."""
    def number(key: str) -> float:
        value = rep.get(key)
        return math.nan if value is None else float(value)

    start, bottom, end = (rep.get(k) for k in ("start_s", "bottom_s", "end_s"))
    return RepContext(
        rep_index=int(rep["index"]), min_knee_angle_deg=number("min_knee_angle_deg"),
        max_trunk_lean_deg=number("max_trunk_lean_deg"),
        max_knee_valgus_deg=number("max_knee_valgus_deg"),
        descent_s=bottom - start if None not in (start, bottom) else math.nan,
        ascent_s=end - bottom if None not in (bottom, end) else math.nan,
        score=number("score"),
        deviations=tuple(Deviation(d["angle"], d["phase"], float(d["degrees"]))
                         for d in rep.get("deviations", []) if d.get("degrees") is not None),
        faults=tuple(FaultFinding(f["code"], float(f["value"]), float(f["threshold"]),
                                  f.get("unit", ""),
                                  {v: k for k, v in SEVERITY_NAMES.items()}.get(
                                      f.get("severity", "medium"), 2))
                     for f in rep.get("faults", [])))
