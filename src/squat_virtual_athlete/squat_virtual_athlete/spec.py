"""What the virtual athlete does: body, squat program, injected faults and colours.

Fault names are the fault codes of squat_pose (knee_valgus, forward_lean, insufficient_depth,
heel_lift, lateral_shift), so a rendered session's truth compares one to one with what the pose
package reports. Imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from squat_common.settings import range_problems, setting

# Size of each fault at the bottom of a rep (valgus: see below), and its unit.
FAULT_UNITS = {
    # frontal-plane projection angle (FPPA) reached at 60 deg of knee flexion, where it is
    # measured clinically (> 10 deg counts as valgus); the knee's turn is held deeper
    "knee_valgus": "deg",
    "forward_lean": "deg",  # trunk lean from vertical added at the bottom
    "insufficient_depth": "deg",  # degrees taken off the bottom's knee flexion
    "heel_lift": "m",  # height of both heels above the floor at the bottom
    "lateral_shift": "m",  # sideways shift of the pelvis at the bottom, + to the athlete's left
}
DEFAULT_FAULT_SIZES = {
    "knee_valgus": 15.0,
    "forward_lean": 25.0,
    "insufficient_depth": 45.0,
    "heel_lift": 0.04,
    "lateral_shift": 0.08,
}


# The sizes a fault can be rendered at (a knee turned in 30 deg already falls over; a heel
# 10 cm up is on tiptoe); lateral_shift goes either way.
FAULT_RANGES = {
    "knee_valgus": (0.0, 30.0),
    "forward_lean": (0.0, 45.0),
    "insufficient_depth": (0.0, 120.0),
    "heel_lift": (0.0, 0.10),
    "lateral_shift": (-0.20, 0.20),
}


class SpecError(ValueError):
    """An athlete or fault specification that cannot be rendered, with the reason."""


@dataclass(frozen=True)
class FaultSpec:
    """One injected fault: its code, its size at the bottom, and the reps (1-based) it is in."""

    name: str
    size: float
    reps: tuple[int, ...] = ()  # empty: every rep

    def in_rep(self, rep: int) -> bool:
        """Whether rep `rep` (1-based) carries this fault."""
        return not self.reps or rep in self.reps


def parse_faults(text: str) -> tuple[FaultSpec, ...]:
    """Faults from `name[:size][@rep,rep...]` items separated by `;`, e.g.
    `knee_valgus:12@2,4; heel_lift`. An empty text means no fault."""
    faults = []
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        head, _, reps_text = item.partition("@")
        name, _, size_text = head.partition(":")
        name = name.strip()
        if name not in FAULT_UNITS:
            raise SpecError(f"unknown fault {name!r} in {item!r}: one of "
                            f"{', '.join(FAULT_UNITS)}")
        try:
            size = float(size_text) if size_text.strip() else DEFAULT_FAULT_SIZES[name]
            reps = tuple(int(r) for r in reps_text.split(",") if r.strip())
        except ValueError as error:
            raise SpecError(f"cannot read fault {item!r}: expected "
                            "name[:size][@rep,rep...]") from error
        if any(r < 1 for r in reps):
            raise SpecError(f"fault {item!r}: reps are counted from 1")
        low, high = FAULT_RANGES[name]
        if not (math.isfinite(size) and low <= size <= high) or size == 0:
            raise SpecError(f"fault {item!r}: the size must be a non-zero number from {low:g} "
                            f"to {high:g} {FAULT_UNITS[name]}")
        faults.append(FaultSpec(name, size, reps))
    return tuple(faults)


def format_faults(faults: tuple[FaultSpec, ...]) -> str:
    """The `parse_faults` text of `faults`."""
    return "; ".join(f"{f.name}:{f.size:g}" + (f"@{','.join(map(str, f.reps))}" if f.reps
                                                else "") for f in faults)


def _faults(text: str) -> tuple[FaultSpec, ...]:
    try:
        return parse_faults(text)
    except SpecError as error:
        raise ValueError(str(error)) from error


@dataclass(frozen=True)
class AthleteSpec:
    """The athlete and the session to render; defaults give a clean bodyweight squat set.

    Each field is also a parameter of virtual_camera_node (athlete.<name>).
    """

    height_m: float = setting(1.75, "Body height.", unit="m", low=1.2, high=2.2)
    reps: int = setting(5, "Reps in one session.", low=0, high=1000)
    # 180 = straight leg: 50 is below parallel.
    min_knee_angle_deg: float = setting(50.0, "Smallest hip-knee-ankle angle at the bottom.",
                                        unit="deg", low=30.0, high=170.0)
    descent_s: float = setting(1.6, "Time going down.", unit="s", low=0.2, high=10.0)
    pause_s: float = setting(0.3, "Time held at the bottom.", unit="s", low=0.0, high=10.0)
    ascent_s: float = setting(1.2, "Time coming up.", unit="s", low=0.2, high=10.0)
    rest_s: float = setting(1.0, "Time standing between reps.", unit="s", low=0.0, high=60.0)
    lead_in_s: float = setting(1.5, "Time standing before the first rep.", unit="s", low=0.0,
                               high=60.0)
    lead_out_s: float = setting(1.5, "Time standing after the last rep.", unit="s", low=0.0,
                                high=60.0)
    stance_width_m: float = setting(0.36, "Distance between the ankle joints.", unit="m",
                                    low=0.1, high=0.9)
    toe_out_deg: float = setting(15.0, "Toe-out of each foot.", unit="deg", low=-10.0,
                                 high=45.0)
    bar: bool = setting(False, "Hands on a bar on the upper back (else arms reach forward).")
    faults: tuple[FaultSpec, ...] = setting(
        (), "Injected faults: 'name[:size][@rep,rep...]' separated by ';', names knee_valgus "
        "(deg), forward_lean (deg), insufficient_depth (deg), heel_lift (m), lateral_shift "
        "(m); no @: every rep.", decode=_faults, encode=format_faults)
    seed: int = setting(0, "Seed of rep-to-rep variation and sensor noise.", low=0,
                        high=2**31 - 1)
    # +-3 deg of depth, +-8 % of tempo at 1.
    variability: float = setting(1.0, "Rep-to-rep variation of depth and tempo; 0 for "
                                 "identical reps.", low=0.0, high=5.0)
    shirt_bgr: tuple[int, int, int] = (160, 90, 40)
    pants_bgr: tuple[int, int, int] = (45, 45, 50)
    skin_bgr: tuple[int, int, int] = (120, 160, 205)

    def problems(self) -> list[str]:
        """Why this athlete cannot be rendered, one reason per bad value; empty when it can."""
        found = range_problems(self)
        for fault in self.faults:
            if fault.name == "insufficient_depth" and \
                    self.min_knee_angle_deg + fault.size > 175.0:
                found.append(f"insufficient_depth {fault.size} leaves no squat at all")
            if any(r > self.reps for r in fault.reps):
                found.append(f"{fault.name} names rep(s) {fault.reps} of only {self.reps}")
        return found
