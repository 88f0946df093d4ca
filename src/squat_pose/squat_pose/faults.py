"""Technique faults of a finished rep, each with its measured value, threshold and severity.

Thresholds are parameters; their defaults and where they come from:
- knee_valgus: the knees more than 15 % closer together, relative to the ankles, than where the
  athlete stands (knee_separation, the knee-to-ankle separation ratio of Mizner et al., Clin J
  Sport Med 2012;22(3):221-227, against the athlete's own standing ratio), held for
  HOLD_S (one frame of it is MediaPipe misplacing a knee). A squat with the knees over
  the toes widens the ratio (real footage: 0.8 standing, 1.5-2.0 at depth; the virtual athlete
  1.3-1.7 times its standing ratio at depth from any camera up to 40 deg off axis), while knees
  caving in 10 deg narrow it to half or less. The 2D frontal-plane projection angle (Munro,
  Herrington & Carolan, J Sport Rehabil 2012;21(1):7-11) stays a measure (JointAngles) but not
  the judge: a camera 20 deg off the athlete's axis reads over 100 deg of it on clean reps.
- insufficient_depth: thighs not down to parallel, the criterion of powerlifting rules (hip
  crease below the top of the knee; IPF Technical Rules), measured as the thigh still sloping
  more than 10 deg at the deepest point. The 10 deg absorb where MediaPipe puts the hip: on our
  footage it sits above the crease, so clearly deep squats read up to ~7 deg above parallel.
- forward_lean: trunk more than 50 deg from vertical. Trunk inclination in the squat is
  discussed by Schoenfeld, J Strength Cond Res 2010;24(12):3497-3506; 50 deg is beyond what a
  bodyweight squat with good ankle mobility needs.
- heel_lift: a heel rising more than 0.06 torso lengths (about 3 cm) above where it stood, in
  the image and against its toe alike, each measure beyond its own standing noise. Either alone
  drifts at depth with flat feet: the toe landmark sinks (virtual athlete: up to 0.09) and the
  heel landmark climbs the shoe (shallow_side.mp4: up to 0.10); both together stayed under
  0.06 there and under 0.05 on the virtual athlete's clean reps from 0 and 20 deg round, while
  its heels lifted 4 cm read 0.068-0.08 from 0-20 deg round at 3.5 m. Held for HOLD_S: a
  lifted heel stays up through the bottom, while in dim light a clean rep's heel landmark
  rose 0.086 for a frame or two.
- lateral_shift: pelvis more than 0.15 (standing) hip widths further off where the ankles
  stood (geometry.StandingPoint) than where the athlete stands, held for HOLD_S at least (a
  shift is a posture carried through the rep; a one-frame jump is MediaPipe losing the hips
  for a moment). The pelvis alone: the left-right difference of knee flexion seen from the
  front is no measure of it (the thighs point at the camera: a high front camera read 21 deg
  of it on a symmetric forward-lean rep, a poorly seen leg in 3D 17 deg); it stays published
  (asymmetry).
- fast_descent: descent shorter than 1.0 s; the ACSM position stand on resistance training
  progression (Med Sci Sports Exerc 2009;41(3):687-708) recommends 1-2 s per lowering phase for
  novices.
- incomplete_lockout: knee flexion at the top of the rep still more than 15 deg above the
  athlete's own straightest steady standing this session (STANDING_EXTENSION; 0 before any):
  legs, clothes and camera angles leave a locked-out knee reading 10-16 deg on some footage.
What is judged against the athlete's standing (valgus, lateral shift) has twice the standing
measure's own noise added to its threshold (NOISE_MARGIN), so jittery footage needs a clearer
fault; the fault's threshold is the one applied. Heel lift, read from two measures, takes each
one's noise off its own rise (its value is the rise beyond the noise). Severity grows with how
far past the threshold the value is. Imports no rclpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from squat_common.names import (
    FAST_DESCENT,
    FORWARD_LEAN,
    HEEL_LIFT,
    INCOMPLETE_LOCKOUT,
    INSUFFICIENT_DEPTH,
    KNEE_VALGUS,
    LATERAL_SHIFT,
)
from squat_common.names import SEVERITY_HIGH as HIGH
from squat_common.names import SEVERITY_LOW as LOW
from squat_common.names import SEVERITY_MEDIUM as MEDIUM
from squat_common.settings import setting
from squat_pose.phases import Rep


@dataclass(frozen=True)
class FaultThresholds:
    """Where each fault starts; each is the pose_node parameter faults.<fault code>."""

    knee_valgus: float = setting(
        0.15, "Knee valgus: knees closer together, relative to the ankles, than where the "
        "athlete stands by more than this share of their standing separation.",
        unit="standing knee separation", low=0.0, high=1.0)
    insufficient_depth: float = setting(
        10.0, "Insufficient depth: thigh still sloping more than this above parallel at the "
        "deepest point.", unit="deg", low=-45.0, high=90.0)
    forward_lean: float = setting(
        50.0, "Forward lean: trunk more than this from vertical.", unit="deg", low=0.0,
        high=90.0)
    heel_lift: float = setting(
        0.06, "Heel lift: a heel rising more than this above where it stood.",
        unit="torso lengths", low=0.0, high=1.0)
    lateral_shift: float = setting(
        0.15, "Lateral shift: pelvis further than this off the ankle midpoint.",
        unit="standing hip widths", low=0.0, high=5.0)
    fast_descent: float = setting(
        1.0, "Fast descent: a descent shorter than this.", unit="s", low=0.0, high=10.0)
    incomplete_lockout: float = setting(
        15.0, "Incomplete lockout: knee flexion at the top of the rep more than this above "
        "the athlete's own straightest steady standing.", unit="deg", low=0.0, high=90.0)


@dataclass(frozen=True)
class Fault:
    """One fault of a rep."""

    code: str
    value: float
    threshold: float
    unit: str
    severity: int
    frame_times_s: tuple[float, ...] = field(default=())
    view: str = ""  # the camera that judged it (squat_pose.view_check)
    confidence: float = 1.0


@dataclass
class RepFrames:
    """The smoothed measures of every frame of one rep: time -> {measure: value}."""

    times_s: list[float] = field(default_factory=list)
    values: list[dict[str, float]] = field(default_factory=list)

    def series(self, *names: str) -> list[tuple[float, float]]:
        """(time, value) of the frames where any of `names` was measured (the largest)."""
        found = []
        for t, frame in zip(self.times_s, self.values, strict=True):
            present = [frame[name] for name in names if name in frame]
            if present:
                found.append((t, max(present)))
        return found


def _severity(excess: float, scale: float) -> int:
    """LOW up to one `scale` past the threshold, MEDIUM up to two, HIGH beyond."""
    return LOW if excess <= scale else MEDIUM if excess <= 2 * scale else HIGH


def _over(code: str, series: list[tuple[float, float]], threshold: float, unit: str,
          scale: float) -> Fault | None:
    over = [(t, v) for t, v in series if v > threshold]
    if not over:
        return None
    worst = max(v for _, v in over)
    return Fault(code, worst, threshold, unit, _severity(worst - threshold, scale),
                 tuple(t for t, _ in over))


HEEL_MEASURES = ("heel_height", "heel_pitch")
# What the athlete's own standing posture sets: the heel measures, where the pelvis sits and
# how far apart the knees are.
STANDING_MEASURES = (*HEEL_MEASURES, "pelvis_shift", "asymmetry", "knee_separation")
# What each fault of a rep's body is read from (the tempo and lockout faults come from the
# rep's own timing and knee, always there).
FAULT_MEASURES = {KNEE_VALGUS: ("knee_separation",), FORWARD_LEAN: ("trunk_lean",),
                  INSUFFICIENT_DEPTH: ("thigh_angle",), HEEL_LIFT: HEEL_MEASURES,
                  LATERAL_SHIFT: ("pelvis_shift",)}
# The faults that are a move away from the athlete's own standing, with the measures of it.
MOVED_FROM_STANDING = {code: FAULT_MEASURES[code] for code in (HEEL_LIFT, LATERAL_SHIFT)}
HOLD_S = 0.25
# The athlete's straightest steady standing knee flexion (deg), where known.
STANDING_EXTENSION = "knee_extension"
# A standing measure's noise (robust standard deviation while standing) is in the standing
# values as <measure>NOISE; NOISE_MARGIN of it is added to the threshold of what is judged
# against that measure, so a camera or a body that jitters more needs a clearer fault.
NOISE = "_noise"
NOISE_MARGIN = 2.0
# The largest NOISE of the athlete's last few standings (measure_track.RECENT_STANDINGS), as
# <measure>NOISIEST: what says whether a baseline can be judged against at all.
NOISIEST = "_noisiest"


def _margin(standing: dict[str, float], *names: str) -> float:
    return NOISE_MARGIN * max((standing.get(f"{name}{NOISE}", 0.0) for name in names),
                              default=0.0)


def sustained(series: list[tuple[float, float]], hold_s: float = HOLD_S
              ) -> list[tuple[float, float]]:
    """(time, the level the series stays at or above from then for `hold_s`, and over two
    frames at least): a one-frame spike does not count, whatever the frame rate."""
    held = []
    for i, (t, _) in enumerate(series):
        window = [v for u, v in series[i:] if u <= t + hold_s]
        if len(window) < 2 and i + 1 < len(series):
            window = [v for _, v in series[i:i + 2]]
        if len(window) >= 2:
            held.append((t, min(window)))
    return held


def heel_lift(values: dict[str, float], standing: dict[str, float] | None) -> float | None:
    """How far a heel rose above where it stood (torso lengths), by the weaker of the two
    measures, each less twice its own standing noise: None unless both, and their standing
    values, are known. Each its own: from 20 deg round the toe landmark jitters (heel_pitch
    noise 0.03 against heel_height's 0.005), and a margin taken from the noisier one hid a 4 cm
    lift the heel's height showed."""
    if not standing or any(name not in values or name not in standing
                           for name in HEEL_MEASURES):
        return None
    return min(values[name] - standing[name] - _margin(standing, name) for name in HEEL_MEASURES)


def knees_closing(values: dict[str, float], standing: dict[str, float] | None) -> float | None:
    """The share of their standing separation (relative to the ankles) the knees have closed
    by: negative while they track out, positive as they cave in; None where not measured. Without
    a standing value, knees straight over the ankles (ratio 1) stand in for it."""
    if "knee_separation" not in values:
        return None
    return 1.0 - values["knee_separation"] / (standing or {}).get("knee_separation", 1.0)


def unsteady_baseline(code: str, standing: dict[str, float] | None,
                      thresholds: FaultThresholds = FaultThresholds()) -> str:
    """Why a fault judged against the athlete's standing cannot be judged: its measures shook
    standing by more than a quarter of its limit (their noise margin would be over half of it,
    and they swing further in motion: in dim light the heel landmark rose 0.1 torso lengths
    on clean reps with 0.015 of standing noise); '' when it can be."""
    if code not in MOVED_FROM_STANDING:
        return ""
    limit = getattr(thresholds, code)
    base = standing or {}
    noise = max(base.get(f"{name}{suffix}", 0.0) for name in MOVED_FROM_STANDING[code]
                for suffix in (NOISE, NOISIEST))
    if noise <= limit / (2 * NOISE_MARGIN):
        return ""
    return (f"its landmarks shook standing ({noise:.3f} of noise against a {limit:g} limit: "
            "more light, or the camera closer)")


def rep_faults(rep: Rep, frames: RepFrames, standing: dict[str, float] | None,
               thresholds: FaultThresholds = FaultThresholds()) -> list[Fault]:
    """Every fault of `rep`, given its frames' measures and the athlete's standing ones
    (STANDING_MEASURES, where known)."""
    th = thresholds
    base = standing or {}
    closing = [(t, value) for t, values in zip(frames.times_s, frames.values, strict=True)
               if (value := knees_closing(values, standing)) is not None]
    valgus_margin = _margin(base, "knee_separation") / base.get("knee_separation", 1.0)
    found: list[Fault | None] = [
        _over(KNEE_VALGUS, sustained(closing), th.knee_valgus + valgus_margin,
              "standing_knee_separation", 0.15),
        _over(FORWARD_LEAN, frames.series("trunk_lean"), th.forward_lean, "deg", 10.0),
    ]
    thigh = frames.series("thigh_angle")
    if thigh:
        lowest_t, lowest = min(thigh, key=lambda item: item[1])
        if lowest > th.insufficient_depth:
            found.append(Fault(INSUFFICIENT_DEPTH, lowest, th.insufficient_depth, "deg",
                               _severity(lowest - th.insufficient_depth, 10.0),
                               (lowest_t,)))
    lift = [(t, rise) for t, values in zip(frames.times_s, frames.values, strict=True)
            if (rise := heel_lift(values, standing)) is not None]
    found.append(_over(HEEL_LIFT, sustained(lift), th.heel_lift, "torso_lengths", 0.04))
    shift = [(t, abs(v - base.get("pelvis_shift", 0.0))) for t, v in frames.series("pelvis_shift")]
    found.append(_over(LATERAL_SHIFT, sustained(shift),
                       th.lateral_shift + _margin(base, "pelvis_shift"), "hip_widths", 0.1))
    if rep.descent_s < th.fast_descent:
        found.append(Fault(FAST_DESCENT, rep.descent_s, th.fast_descent, "s",
                           _severity(th.fast_descent - rep.descent_s, 0.25),
                           (rep.start_s, rep.bottom_entered_s)))
    short_of_straight = rep.lockout_flexion_deg - base.get(STANDING_EXTENSION, 0.0)
    if short_of_straight > th.incomplete_lockout:
        found.append(Fault(INCOMPLETE_LOCKOUT, short_of_straight, th.incomplete_lockout, "deg",
                           _severity(short_of_straight - th.incomplete_lockout, 5.0),
                           (rep.end_s,)))
    return [fault for fault in found if fault is not None]
