"""The squat program in time: which rep, which phase, how deep, which faults, at any instant.

Each rep eases down (descent), holds (pause), eases up (ascent) and stands (rest). With
`variability` > 0 each rep's depth and tempo vary a little, drawn from `seed`, so the same spec
always gives the same motion. Imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from squat_virtual_athlete.spec import AthleteSpec

# Phase codes as in squat_msgs/SquatState.
STANDING, DESCENT, BOTTOM, ASCENT = 1, 2, 3, 4
PHASE_NAMES = {STANDING: "standing", DESCENT: "descent", BOTTOM: "bottom", ASCENT: "ascent"}


@dataclass(frozen=True)
class RepPlan:
    """One rep's timing (seconds from the session start) and its deepest knee flexion."""

    number: int  # 1-based
    start_s: float
    bottom_s: float  # descent ends
    rise_s: float  # pause ends, ascent starts
    end_s: float  # ascent ends
    max_flexion_deg: float  # knee flexion (180 - knee angle) at the bottom


@dataclass(frozen=True)
class MotionState:
    """The athlete at one instant."""

    time_s: float
    phase: int
    rep: int  # the rep in progress (1-based), 0 while standing between reps
    reps_completed: int
    # How far down this rep is, 0 standing to 1 at its bottom (smooth in time).
    progress: float
    knee_flexion_deg: float  # the planned (symmetric) knee flexion
    # Faults of the rep in progress, at full size (the skeleton ramps each in with the rep).
    faults: dict[str, float]


def _ease(u: float) -> float:
    """0 -> 1 with zero speed at both ends (how people start and stop a movement)."""
    return (1 - math.cos(math.pi * min(max(u, 0.0), 1.0))) / 2


class SquatProgram:
    """The whole session: lead-in, `reps` reps, lead-out."""

    def __init__(self, spec: AthleteSpec) -> None:
        self.spec = spec
        rng = np.random.default_rng(spec.seed)
        self.reps: list[RepPlan] = []
        t = spec.lead_in_s
        base_flexion = 180.0 - spec.min_knee_angle_deg
        for number in range(1, spec.reps + 1):
            depth_jitter, tempo_jitter = rng.uniform(-1, 1, 2) * spec.variability
            tempo = 1 + 0.08 * tempo_jitter
            flexion = base_flexion + 3.0 * depth_jitter
            for fault in spec.faults:
                if fault.name == "insufficient_depth" and fault.in_rep(number):
                    flexion -= fault.size
            bottom = t + spec.descent_s * tempo
            rise = bottom + spec.pause_s * tempo
            end = rise + spec.ascent_s * tempo
            self.reps.append(RepPlan(number, t, bottom, rise, end, max(flexion, 5.0)))
            t = end + (spec.rest_s if number < spec.reps else 0.0)
        self.duration_s = t + spec.lead_out_s

    def at(self, time_s: float) -> MotionState:
        """The athlete's motion at `time_s` seconds from the session start."""
        completed = 0
        for plan in self.reps:
            if time_s >= plan.end_s:
                completed = plan.number
                continue
            if time_s < plan.start_s:
                break
            if time_s < plan.bottom_s:
                phase = DESCENT
                progress = _ease((time_s - plan.start_s) / (plan.bottom_s - plan.start_s))
            elif time_s < plan.rise_s:
                phase, progress = BOTTOM, 1.0
            else:
                phase = ASCENT
                progress = 1 - _ease((time_s - plan.rise_s) / (plan.end_s - plan.rise_s))
            return self._state(time_s, phase, plan, completed, progress)
        return MotionState(time_s, STANDING, 0, completed, 0.0, 0.0, {})

    def _state(self, time_s: float, phase: int, plan: RepPlan, completed: int,
               progress: float) -> MotionState:
        faults = {f.name: f.size for f in self.spec.faults if f.in_rep(plan.number)}
        return MotionState(time_s, phase, plan.number, completed, progress,
                           plan.max_flexion_deg * progress, faults)
