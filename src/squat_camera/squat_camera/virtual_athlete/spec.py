"""What the virtual athlete does: body, squat program, injected faults and colours.

Fault names are the fault codes of squat_pose (knee_valgus, forward_lean, insufficient_depth,
heel_lift, lateral_shift), so a rendered session's truth compares one to one with what the pose
package reports. Imports no rclpy.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        faults.append(FaultSpec(name, size, reps))
    return tuple(faults)


@dataclass(frozen=True)
class AthleteSpec:
    """The athlete and the session to render; defaults give a clean bodyweight squat set."""

    height_m: float = 1.75
    reps: int = 5
    # Smallest hip-knee-ankle angle at the bottom (180 = straight leg): 50 is below parallel.
    min_knee_angle_deg: float = 50.0
    descent_s: float = 1.6
    pause_s: float = 0.3
    ascent_s: float = 1.2
    rest_s: float = 1.0  # standing between reps
    lead_in_s: float = 1.5  # standing before the first rep
    lead_out_s: float = 1.5  # standing after the last rep
    stance_width_m: float = 0.36  # distance between the ankle joints
    toe_out_deg: float = 15.0
    bar: bool = False  # True: hands on a bar on the upper back; False: arms reach forward
    faults: tuple[FaultSpec, ...] = ()
    seed: int = 0
    # Rep-to-rep variation (0 = every rep identical): +-3 deg of depth, +-8 % of tempo at 1.
    variability: float = 1.0
    shirt_bgr: tuple[int, int, int] = (160, 90, 40)
    pants_bgr: tuple[int, int, int] = (45, 45, 50)
    skin_bgr: tuple[int, int, int] = (120, 160, 205)

    def problems(self) -> list[str]:
        """Why this athlete cannot be rendered, one reason per bad value; empty when it can."""
        found = []
        if not 1.2 <= self.height_m <= 2.2:
            found.append(f"height_m {self.height_m} is outside 1.2..2.2")
        if self.reps < 0:
            found.append(f"reps {self.reps} is negative")
        if not 30.0 <= self.min_knee_angle_deg <= 170.0:
            found.append(f"min_knee_angle_deg {self.min_knee_angle_deg} is outside 30..170")
        for name in ("descent_s", "ascent_s"):
            if getattr(self, name) <= 0.1:
                found.append(f"{name} {getattr(self, name)} must be above 0.1 s")
        for name in ("pause_s", "rest_s", "lead_in_s", "lead_out_s", "variability"):
            if getattr(self, name) < 0:
                found.append(f"{name} {getattr(self, name)} is negative")
        if not 0.1 <= self.stance_width_m <= 0.9:
            found.append(f"stance_width_m {self.stance_width_m} is outside 0.1..0.9")
        if not -10.0 <= self.toe_out_deg <= 45.0:
            found.append(f"toe_out_deg {self.toe_out_deg} is outside -10..45")
        for fault in self.faults:
            if fault.name == "insufficient_depth" and \
                    self.min_knee_angle_deg + fault.size > 175.0:
                found.append(f"insufficient_depth {fault.size} leaves no squat at all")
            if any(r > self.reps for r in fault.reps):
                found.append(f"{fault.name} names rep(s) {fault.reps} of only {self.reps}")
        return found
