"""Joint angles and body measures from 2D landmarks, each from the view that sees it.

Definitions (degrees unless said; left/right are the athlete's; image y points down):
- knee_flexion_*: 180 minus the hip-knee-ankle angle, side view. 0 with the leg straight.
- hip_flexion_*: 180 minus the shoulder-hip-knee angle, side view. 0 standing upright.
- trunk_lean: angle of the hip-midpoint-to-shoulder-midpoint line from vertical, side view,
  positive with the shoulders ahead of the hips (the way the toes point).
- ankle_dorsiflexion_*: angle of the shin (ankle to knee) from vertical, side view, positive with
  the knee ahead of the ankle.
- knee_valgus_*: frontal-plane projection angle, front view: 180 minus the hip-knee-ankle angle,
  positive when the knee lies inside (towards the midline of) the hip-ankle line.
- depth: (knee y - hip y) / torso length, side view: how far the hip joint is above the knee,
  0 at parallel, negative below. The hip landmark stands in for the hip crease.
- pelvis_shift: offset of the hip midpoint from the ankle midpoint along the athlete's standing
  hip line, front view, in standing hip widths (see BodyScale), positive towards the athlete's
  left. The standing line, not the frame's: at depth MediaPipe tilts the hip line a few degrees
  (one hip placed lower, most with the knees caving in), and along a tilted line the hips'
  height above the ankles read as a shift (virtual athlete, 15 deg valgus, camera facing the
  athlete: 0.15 hip widths along the frame's line, 0.07 along the standing one). The ankles
  where the athlete last stood (StandingPoint), where known, not the frame's: the feet stay put
  in a squat, and at depth the shins hide the ankles from the front (in dim light MediaPipe
  moved them 10 px sideways at the bottom of a forward-lean rep, a false shift of 0.26).
- thigh_angle: slope of the hip-to-knee line of the same leg, degrees above horizontal at the
  hip (positive while the knee is lower than the hip, 0 at parallel), side view.
- heel_height: height of the better-seen heel above the image's bottom edge / torso length, side
  view (compared with the athlete's own standing value, so the camera must stay put).
- heel_pitch: (toe y - heel y) / torso length of the same foot: how far the heel is above its
  toe. A heel lift raises both; faults.py asks both, as each alone drifts at depth.
- knee_separation: distance between the knees over the distance between the ankles, front view
  (the knee-to-ankle separation ratio, Mizner et al., Clin J Sport Med 2012;22(3):221-227).
  Knees tracking over turned-out toes push it well above its standing value; knees caving in
  pull it below. A camera turned round the athlete shrinks both distances alike, and the
  knees' forward travel moves both knees the same way in the image, so the ratio holds where
  the frontal-plane projection angle does not (20 deg off axis reads over 100 deg of "valgus"
  on a clean squat).
- asymmetry: projected knee flexion left minus right, front view (the only view that sees both
  legs; from the side the far leg is half hidden).
An angle whose landmarks are less visible than `min_visibility` is absent, never guessed; its
confidence is the smallest visibility of the landmarks it uses. Pixels are square, so pixel
coordinates are used as they are (normalised coordinates would distort angles by the aspect).
Imports no rclpy.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from squat_pose.landmarks import INDEX
from squat_pose.pose_estimation import PoseResult

L_SHOULDER, R_SHOULDER = INDEX["left_shoulder"], INDEX["right_shoulder"]
L_HIP, R_HIP = INDEX["left_hip"], INDEX["right_hip"]
L_KNEE, R_KNEE = INDEX["left_knee"], INDEX["right_knee"]
L_ANKLE, R_ANKLE = INDEX["left_ankle"], INDEX["right_ankle"]
L_HEEL, R_HEEL = INDEX["left_heel"], INDEX["right_heel"]
L_TOE, R_TOE = INDEX["left_foot_index"], INDEX["right_foot_index"]
SIDES = {"left": (L_SHOULDER, L_HIP, L_KNEE, L_ANKLE), "right": (R_SHOULDER, R_HIP, R_KNEE,
                                                                  R_ANKLE)}


@dataclass(frozen=True)
class Measure:
    """A measured value, how much to trust it (0..1), and the view it comes from."""

    value: float
    confidence: float
    view: str


def interior_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle at b between b->a and b->c, degrees (180 for a straight line)."""
    u, v = a - b, c - b
    norms = np.linalg.norm(u) * np.linalg.norm(v)
    if norms == 0:
        return float("nan")
    return float(np.degrees(np.arccos(np.clip(np.dot(u, v) / norms, -1.0, 1.0))))


def tilt_from_vertical(lower: np.ndarray, upper: np.ndarray, forward: float) -> float:
    """Angle of lower->upper from straight up, positive when upper is ahead (x sign `forward`)."""
    dx, dy = upper - lower
    return float(np.degrees(np.arctan2(forward * dx, -dy)))


# The body lengths that scale measures, each between the midpoints of two groups of joints.
TORSO = ((L_SHOULDER, R_SHOULDER), (L_HIP, R_HIP))
HIP_WIDTH = ((R_HIP,), (L_HIP,))  # right to left: towards the athlete's left
ANKLES = (L_ANKLE, R_ANKLE)
# The least share of the standing hip width two joints (the hips, the ankles) must span for a
# direction or a ratio to be read from them.
MIN_SPAN = 0.15


class BodyScale:
    """A body length in pixels per view, fixed for the session: the median of its first good
    frames the athlete stands in. Taken frame by frame it would shrink as the body folds
    towards the camera (the hip width seen from the front falls to a third at depth) and
    inflate what it divides. Its direction (first end to second) over the same frames is kept
    too: the hip line's is the athlete's left-right in the image."""

    def __init__(self, ends: tuple[tuple[int, ...], tuple[int, ...]] = TORSO, frames: int = 30,
                 min_visibility: float = 0.5) -> None:
        self._ends = ends
        self._samples: dict[str, list[np.ndarray]] = {}
        self._frames, self.min_visibility = frames, min_visibility
        self._fixed: dict[str, np.ndarray] = {}

    def update(self, view: str, pose: PoseResult, sample: bool = True) -> float | None:
        """Feed a frame (a sample of the length when `sample`: the athlete stands); the length
        in pixels for `view` (None until one is seen)."""
        if view not in self._fixed and sample:
            first, second = (list(end) for end in self._ends)
            if pose.visibility[first + second].min() >= self.min_visibility:
                self._samples.setdefault(view, []).append(
                    pose.pixels[second].mean(axis=0) - pose.pixels[first].mean(axis=0))
            if len(self._samples.get(view, [])) >= self._frames:
                self._fixed[view] = self._median(view)
        vector = self.vector(view)
        return None if vector is None else float(np.linalg.norm(vector))

    def vector(self, view: str) -> np.ndarray | None:
        """The length as a vector in the image (first end to second): the median length along
        the median direction; None until one is seen."""
        if view in self._fixed:
            return self._fixed[view]
        return self._median(view) if self._samples.get(view) else None

    def _median(self, view: str) -> np.ndarray:
        samples = np.array(self._samples[view])
        direction = np.median(samples, axis=0)
        length = float(np.median(np.linalg.norm(samples, axis=1)))
        return direction / max(float(np.linalg.norm(direction)), 1e-9) * length


class StandingPoint:
    """Where the midpoint of a group of joints stands in a view: the median of its last
    `frames` well-seen standing frames, following an athlete who steps elsewhere between reps."""

    def __init__(self, joints: tuple[int, ...], frames: int = 30,
                 min_visibility: float = 0.5) -> None:
        self._joints = list(joints)
        self._recent: deque[np.ndarray] = deque(maxlen=frames)
        self.min_visibility = min_visibility
        self._point: np.ndarray | None = None

    def update(self, pose: PoseResult, standing: bool) -> np.ndarray | None:
        """Feed a frame (a sample while `standing`); the point in pixels (None until seen)."""
        if standing and pose.visibility[self._joints].min() >= self.min_visibility:
            self._recent.append(pose.pixels[self._joints].mean(axis=0))
            # Only a new sample moves the median: frames in motion reuse it.
            self._point = np.median(np.array(self._recent), axis=0)
        return self._point


def normalised_pose(pose: PoseResult, torso_px: float) -> np.ndarray:
    """Landmarks with the hip midpoint at the origin, in torso lengths: (33, 2)."""
    pelvis = pose.pixels[[L_HIP, R_HIP]].mean(axis=0)
    return (pose.pixels - pelvis) / torso_px


def _cross(u: np.ndarray, v: np.ndarray) -> float:
    """z of the cross product of two 2D vectors: its sign says which side v lies of u."""
    return float(u[0] * v[1] - u[1] * v[0])


def _visible(pose: PoseResult, joints: list[int], min_visibility: float) -> float | None:
    confidence = float(pose.visibility[joints].min())
    return confidence if confidence >= min_visibility else None


def side_view_measures(pose: PoseResult, torso_px: float | None,
                       min_visibility: float = 0.5) -> dict[str, Measure]:
    """Sagittal-plane measures from the side view."""
    found: dict[str, Measure] = {}
    p = pose.pixels
    forward = pose.facing
    for side, (shoulder, hip, knee, ankle) in SIDES.items():
        if (c := _visible(pose, [hip, knee, ankle], min_visibility)) is not None:
            found[f"knee_flexion_{side}"] = Measure(
                180 - interior_angle(p[hip], p[knee], p[ankle]), c, "side")
            found[f"ankle_dorsiflexion_{side}"] = Measure(
                tilt_from_vertical(p[ankle], p[knee], forward), c, "side")
        if (c := _visible(pose, [shoulder, hip, knee], min_visibility)) is not None:
            found[f"hip_flexion_{side}"] = Measure(
                180 - interior_angle(p[shoulder], p[hip], p[knee]), c, "side")
    if (c := _visible(pose, [L_SHOULDER, R_SHOULDER, L_HIP, R_HIP], min_visibility)) is None:
        # From the side one shoulder and hip hide the other: use the better-seen pair.
        best = max(SIDES.values(), key=lambda j: pose.visibility[[j[0], j[1]]].min())
        c = _visible(pose, [best[0], best[1]], min_visibility)
        shoulders, hips = p[best[0]], p[best[1]]
    else:
        shoulders, hips = p[[L_SHOULDER, R_SHOULDER]].mean(axis=0), p[[L_HIP, R_HIP]].mean(axis=0)
    if c is not None:
        found["trunk_lean"] = Measure(tilt_from_vertical(hips, shoulders, forward), c, "side")
    if torso_px:
        # The leg the estimator sees bent furthest is the near one: a hidden far leg tends to
        # come out straighter than it is.
        legs = [(SIDES[side][1], SIDES[side][2], found[f"knee_flexion_{side}"])
                for side in SIDES if f"knee_flexion_{side}" in found]
        if legs:
            hip, knee, flexion = max(legs, key=lambda leg: leg[2].value)
            found["depth"] = Measure(float((p[knee, 1] - p[hip, 1]) / torso_px),
                                     flexion.confidence, "side")
            dx, dy = np.abs(p[knee, 0] - p[hip, 0]), p[knee, 1] - p[hip, 1]
            found["thigh_angle"] = Measure(float(np.degrees(np.arctan2(dy, dx))),
                                           flexion.confidence, "side")
        feet = [(heel, toe) for heel, toe in ((L_HEEL, L_TOE), (R_HEEL, R_TOE))
                if _visible(pose, [heel, toe], min_visibility) is not None]
        if feet:
            heel, toe = max(feet, key=lambda j: pose.visibility[list(j)].min())
            c = float(pose.visibility[[heel, toe]].min())
            found["heel_height"] = Measure(float((pose.height - p[heel, 1]) / torso_px), c,
                                           "side")
            found["heel_pitch"] = Measure(float((p[toe, 1] - p[heel, 1]) / torso_px), c, "side")
    return found


def front_view_measures(pose: PoseResult, hip_line_px: np.ndarray | None,
                        min_visibility: float = 0.5,
                        feet_px: np.ndarray | None = None) -> dict[str, Measure]:
    """Frontal-plane measures from the front view (and its projected knee flexion); the knee
    separation and pelvis shift need the athlete's standing hip line (BodyScale.vector of
    HIP_WIDTH: right hip to left), its length the hip width. `feet_px`: the ankles' midpoint
    where the athlete stands (StandingPoint of ANKLES), else the frame's."""
    hip_width_px = None if hip_line_px is None else float(np.linalg.norm(hip_line_px))
    found: dict[str, Measure] = {}
    p = pose.pixels
    pelvis = p[[L_HIP, R_HIP]].mean(axis=0)
    for side, (_, hip, knee, ankle) in SIDES.items():
        if (c := _visible(pose, [hip, knee, ankle], min_visibility)) is None:
            continue
        bend = 180 - interior_angle(p[hip], p[knee], p[ankle])
        line = p[ankle] - p[hip]
        cross_knee = _cross(line, p[knee] - p[hip])
        cross_midline = _cross(line, pelvis - p[hip])
        inward = 1.0 if cross_knee * cross_midline > 0 else -1.0
        found[f"knee_valgus_{side}"] = Measure(inward * bend, c, "front")
        found[f"projected_knee_flexion_{side}"] = Measure(bend, c, "front")
    if (c := _visible(pose, [L_KNEE, R_KNEE, L_ANKLE, R_ANKLE], min_visibility)) is not None:
        ankles = float(np.linalg.norm(p[L_ANKLE] - p[R_ANKLE]))
        # Ankles that (nearly) meet in the image say nothing about where the knees are.
        if hip_width_px and ankles > MIN_SPAN * hip_width_px:
            found["knee_separation"] = Measure(
                float(np.linalg.norm(p[L_KNEE] - p[R_KNEE])) / ankles, c, "front")
    shift_joints = [L_HIP, R_HIP] if feet_px is not None else [L_HIP, R_HIP, *ANKLES]
    if hip_width_px and (c := _visible(pose, shift_joints, min_visibility)) is not None:
        hip_line = p[L_HIP] - p[R_HIP]
        # Hips that (nearly) meet give the hip line no direction: MediaPipe has lost them for
        # this frame (at depth they still span a third of their standing width).
        if float(np.linalg.norm(hip_line)) > MIN_SPAN * hip_width_px:
            feet = p[list(ANKLES)].mean(axis=0) if feet_px is None else feet_px
            shift = float(np.dot(pelvis - feet, hip_line_px) / hip_width_px ** 2)
            found["pelvis_shift"] = Measure(shift, c, "front")
    left = found.get("projected_knee_flexion_left")
    right = found.get("projected_knee_flexion_right")
    if left and right:
        found["asymmetry"] = Measure(left.value - right.value,
                                     min(left.confidence, right.confidence), "front")
    return found


def squat_measures(front: PoseResult | None, side: PoseResult | None,
                   front_hip_line_px: np.ndarray | None, side_torso_px: float | None,
                   min_visibility: float = 0.5,
                   front_feet_px: np.ndarray | None = None) -> dict[str, Measure]:
    """Every measure of a (front, side) pair, given the session's scales and where the
    athlete's feet stand in the front view."""
    found: dict[str, Measure] = {}
    if front is not None:
        found.update(front_view_measures(front, front_hip_line_px, min_visibility,
                                         front_feet_px))
    if side is not None:
        found.update(side_view_measures(side, side_torso_px, min_visibility))
    return found
