"""The athlete's skeleton at one instant: 3D landmarks in MediaPipe naming plus body frames.

World frame (REP 103): x forward (the way the athlete faces), y to the athlete's left, z up,
metres, origin on the floor midway between the ankles.

Segment lengths are fractions of body height from Drillis & Contini's anthropometric table as
reproduced in Winter, *Biomechanics and Motor Control of Human Movement* (4th ed., 2009),
fig. 4.1: ankle 0.039, knee 0.285, hip (greater trochanter) 0.530, shoulder 0.818, chin 0.870;
upper arm 0.186, forearm 0.146, hand 0.108, foot length 0.152, shoulder width 0.259,
hip width 0.191.

The legs are placed by two-bone inverse kinematics: the planned knee flexion fixes the
hip-to-ankle distance, a balance rule fixes how far the hips sit back, and the knee points over
the toes unless valgus turns it in. So every segment keeps its length in every frame, and the
truth is what the joints are, not what was asked. Imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from squat_virtual_athlete.motion import MotionState
from squat_virtual_athlete.spec import AthleteSpec

Y, Z = np.eye(3)[1:]
# Knee flexion (deg) at which an injected valgus has its full size (as clinicians measure FPPA).
VALGUS_REFERENCE_DEG = 60.0


@dataclass(frozen=True)
class Anthropometry:
    """Segment lengths and widths in metres for one body height."""

    height: float

    def __getattr__(self, name: str) -> float:
        try:
            return _FRACTIONS[name] * self.height
        except KeyError:
            raise AttributeError(name) from None


_FRACTIONS = {
    "ankle_height": 0.039,
    "shank": 0.285 - 0.039,
    "thigh": 0.530 - 0.285,
    "trunk": 0.818 - 0.530,  # hip joint centre to shoulder joint centre
    "head_above_shoulder": 0.117,  # shoulder line to the centre of the head
    "upper_arm": 0.186,
    "forearm": 0.146,
    "hand": 0.108,
    "foot": 0.152,
    "shoulder_half": 0.217 / 2,  # between shoulder joint centres (biacromial 0.259 minus tissue)
    "hip_half": 0.100 / 2,  # between hip joint centres (bitrochanteric 0.191 minus tissue)
}


@dataclass(frozen=True)
class Skeleton:
    """3D points of the athlete (metres, world frame)."""

    landmarks: dict[str, np.ndarray]  # MediaPipe landmark names
    points: dict[str, np.ndarray]  # pelvis, shoulder_center, head_center, bar ends, ...
    frames: dict[str, np.ndarray]  # 3x3 columns (forward, left, up) of head, trunk, feet, hands


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _rotate(v: np.ndarray, axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """v rotated about the unit `axis` (Rodrigues)."""
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return v * c + np.cross(axis, v) * s + axis * np.dot(axis, v) * (1 - c)


def two_bone_knee(root: np.ndarray, end: np.ndarray, upper: float, lower: float,
                  pole: np.ndarray) -> np.ndarray:
    """The middle joint of a two-bone chain from `root` to `end`, bent towards `pole`."""
    axis = end - root
    d = float(np.clip(np.linalg.norm(axis), abs(upper - lower) + 1e-6, upper + lower - 1e-6))
    e = _unit(axis)
    along = (upper**2 - lower**2 + d**2) / (2 * d)
    out = math.sqrt(max(upper**2 - along**2, 0.0))
    bend = pole - np.dot(pole, e) * e
    return root + along * e + out * _unit(bend)


def frontal_projection_angle(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray,
                             medial: float) -> float:
    """Knee valgus as squat_pose defines it, in the frontal (y, z) plane: 180 minus the
    hip-knee-ankle angle, positive when the knee lies medial of the hip-ankle line
    (`medial` is the sign of y towards the midline for this leg)."""
    h, k, a = hip[1:], knee[1:], ankle[1:]
    u, v = h - k, a - k
    angle = math.degrees(math.acos(np.clip(np.dot(u, v) / (np.linalg.norm(u) *
                                                         np.linalg.norm(v)), -1, 1)))
    # Where the knee lies relative to the hip-ankle line, towards the midline or away.
    t = np.dot(k - h, a - h) / max(np.dot(a - h, a - h), 1e-12)
    line_y = h[0] + t * (a[0] - h[0])
    side = 1.0 if (k[0] - line_y) * medial > 0 else -1.0
    return side * (180.0 - angle)


class SkeletonModel:
    """Turns a MotionState into a Skeleton for one athlete."""

    def __init__(self, spec: AthleteSpec) -> None:
        self.spec = spec
        self.body = Anthropometry(spec.height_m)
        self._turns: dict[tuple[float, str], float] = {}

    def pose(self, motion: MotionState) -> Skeleton:
        """The skeleton for `motion`."""
        b = self.body
        faults, ramp = motion.faults, motion.progress
        landmarks: dict[str, np.ndarray] = {}
        points: dict[str, np.ndarray] = {}
        frames: dict[str, np.ndarray] = {}
        k = math.radians(motion.knee_flexion_deg)
        ankles = self._feet(ramp * faults.get("heel_lift", 0.0), landmarks, points, frames)
        pelvis, back = self._pelvis(k, ankles, ramp * faults.get("lateral_shift", 0.0))
        points["pelvis"] = pelvis
        # Valgus turns the knee in about the hip-ankle axis, reaching its full turn by
        # VALGUS_REFERENCE_DEG of knee flexion and holding it below.
        turn_share = min(motion.knee_flexion_deg / VALGUS_REFERENCE_DEG, 1.0)
        for side, sign in (("left", 1.0), ("right", -1.0)):
            hip, ankle = pelvis + sign * b.hip_half * Y, ankles[side]
            turn = turn_share * self._valgus_turn(faults.get("knee_valgus", 0.0), side)
            landmarks[f"{side}_hip"] = hip
            landmarks[f"{side}_knee"] = self._knee(hip, ankle, frames[f"{side}_foot"][:, 0],
                                                   sign, turn)

        # Trunk: leans so the upper body's mass stays over the middle of the feet.
        forward_of_hips = 0.02 - back
        lean = math.asin(float(np.clip(forward_of_hips / (0.7 * b.trunk), 0.03, 0.87)))
        lean += math.radians(ramp * faults.get("forward_lean", 0.0))
        trunk_up = np.array([math.sin(lean), 0.0, math.cos(lean)])
        trunk_fwd = np.array([math.cos(lean), 0.0, -math.sin(lean)])
        frames["trunk"] = np.column_stack([trunk_fwd, Y, trunk_up])
        shoulder_center = pelvis + b.trunk * trunk_up
        points["shoulder_center"] = shoulder_center
        shoulders = {"left": shoulder_center + b.shoulder_half * Y,
                     "right": shoulder_center - b.shoulder_half * Y}

        # Head: tilts less than the trunk, so the gaze stays ahead and a little down.
        tilt = 0.4 * lean
        head_up = np.array([math.sin(tilt), 0.0, math.cos(tilt)])
        head_fwd = np.array([math.cos(tilt), 0.0, -math.sin(tilt)])
        head = shoulder_center + b.head_above_shoulder * head_up + 0.012 * b.height * head_fwd
        points["head_center"] = head
        frames["head"] = np.column_stack([head_fwd, Y, head_up])

        def on_head(f: float, left: float, up: float) -> np.ndarray:
            return head + b.height * (f * head_fwd + left * Y + up * head_up)

        landmarks["nose"] = on_head(0.062, 0.0, -0.008)
        for side, sign in (("left", 1.0), ("right", -1.0)):
            landmarks[f"{side}_eye_inner"] = on_head(0.053, sign * 0.009, 0.012)
            landmarks[f"{side}_eye"] = on_head(0.054, sign * 0.018, 0.012)
            landmarks[f"{side}_eye_outer"] = on_head(0.050, sign * 0.027, 0.012)
            landmarks[f"{side}_ear"] = on_head(0.0, sign * 0.046, 0.004)
            landmarks[f"mouth_{side}"] = on_head(0.052, sign * 0.013, -0.030)

        self._arms(motion, shoulders, shoulder_center, frames, landmarks, points)
        for side in ("left", "right"):
            landmarks[f"{side}_shoulder"] = shoulders[side]
        return Skeleton(landmarks, points, frames)

    def _feet(self, lift: float, landmarks: dict[str, np.ndarray],
              points: dict[str, np.ndarray], frames: dict[str, np.ndarray]
              ) -> dict[str, np.ndarray]:
        """Both feet (flat, toes out; a heel lift pivots each about its ball); the ankles."""
        b, spec = self.body, self.spec
        ankles = {}
        for side, sign in (("left", 1.0), ("right", -1.0)):
            toe_out = math.radians(spec.toe_out_deg) * sign
            forward = np.array([math.cos(toe_out), math.sin(toe_out), 0.0])
            left = np.cross(Z, forward)
            heel = np.array([0.0, sign * spec.stance_width_m / 2, 0.0]) - 0.22 * b.foot * forward
            ball = heel + 0.70 * b.foot * forward
            pitch = math.asin(min(lift / (0.70 * b.foot), 0.9))
            up = _rotate(Z, left, pitch)
            along = _rotate(forward, left, pitch)
            skin = 0.02 * b.height / 1.75  # landmarks sit on the shoe, not on the floor
            ankles[side] = ball + (0.22 - 0.70) * b.foot * along + b.ankle_height * up
            landmarks[f"{side}_ankle"] = ankles[side]
            landmarks[f"{side}_heel"] = ball - 0.70 * b.foot * along + skin * up
            # The toes stay flat on the floor when the heel rises: the foot bends at the ball.
            landmarks[f"{side}_foot_index"] = ball + 0.30 * b.foot * forward + skin * Z
            points[f"{side}_ball"] = ball
            frames[f"{side}_foot"] = np.column_stack([along, left, up])
        return ankles

    def _pelvis(self, k: float, ankles: dict[str, np.ndarray], shift: float
                ) -> tuple[np.ndarray, float]:
        """The pelvis centre for knee flexion `k` (rad) and how far it sits behind the ankles:
        the flexion fixes the hip-ankle distance, the sagittal chain (shin tilted forward,
        thigh back) how far back the hips go; a lateral shift moves the pelvis sideways."""
        b = self.body
        shin = min(0.3 * k, math.radians(35.0))
        reach = math.sqrt(b.thigh**2 + b.shank**2 + 2 * b.thigh * b.shank * math.cos(k))
        back = b.shank * math.sin(shin) - b.thigh * math.sin(k - shin)
        spread = self.spec.stance_width_m / 2 - b.hip_half
        rise = math.sqrt(max(reach**2 - back**2 - spread**2, 0.01))
        ankle_mid = (ankles["left"] + ankles["right"]) / 2
        return ankle_mid + np.array([back, shift, rise]), back

    def _knee(self, hip: np.ndarray, ankle: np.ndarray, toes: np.ndarray, sign: float,
              turn: float) -> np.ndarray:
        """The knee over the toes, turned `turn` rad towards the midline (sign: +1 left leg)."""
        axis = _unit(ankle - hip)
        return two_bone_knee(hip, ankle, self.body.thigh, self.body.shank,
                             _rotate(toes, axis, sign * turn))

    def _valgus_turn(self, valgus_deg: float, side: str) -> float:
        """The inward turn (rad) that brings the frontal-plane projection angle to
        `valgus_deg` at VALGUS_REFERENCE_DEG of knee flexion, where clinicians measure it (deeper,
        the projection angle degenerates as the thigh points at the camera); 0 when the knee is
        already that far in."""
        if valgus_deg <= 0:
            return 0.0
        key = (valgus_deg, side)
        if key not in self._turns:
            sign = 1.0 if side == "left" else -1.0
            frames: dict[str, np.ndarray] = {}
            ankles = self._feet(0.0, {}, {}, frames)
            pelvis, _ = self._pelvis(math.radians(VALGUS_REFERENCE_DEG), ankles, 0.0)
            hip, ankle = pelvis + sign * self.body.hip_half * Y, ankles[side]
            toes = frames[f"{side}_foot"][:, 0]

            def fppa(turn: float) -> float:
                knee = self._knee(hip, ankle, toes, sign, turn)
                return frontal_projection_angle(hip, knee, ankle, -sign)

            low, high = 0.0, math.radians(80.0)
            if fppa(low) < valgus_deg:
                for _ in range(30):
                    mid = (low + high) / 2
                    low, high = (mid, high) if fppa(mid) < valgus_deg else (low, mid)
            self._turns[key] = low
        return self._turns[key]

    def _arms(self, motion: MotionState, shoulders: dict[str, np.ndarray],
              shoulder_center: np.ndarray, frames: dict[str, np.ndarray],
              landmarks: dict[str, np.ndarray], points: dict[str, np.ndarray]) -> None:
        b = self.body
        trunk_fwd, _, trunk_up = frames["trunk"].T
        if self.spec.bar:
            bar = shoulder_center - 0.032 * b.height * trunk_fwd + 0.022 * b.height * trunk_up
            points["bar_left"], points["bar_right"] = bar + 1.1 * Y, bar - 1.1 * Y
        for side, sign in (("left", 1.0), ("right", -1.0)):
            shoulder = shoulders[side]
            if self.spec.bar:
                grip = bar + sign * (b.shoulder_half + 0.1 * b.height) * Y
                wrist = grip + 0.03 * b.height * trunk_fwd
                elbow = two_bone_knee(shoulder, wrist, b.upper_arm, b.forearm,
                                      -trunk_up - 0.6 * trunk_fwd)
                hand_dir = _unit(grip - wrist + 0.05 * b.height * trunk_up)
                thumb = -sign * Y
            else:
                # Arms rise forward as the hips go down, as a counterweight.
                raise_rad = math.radians(25.0 + 60.0 * motion.progress)
                upper = _unit(np.array([math.sin(raise_rad), -sign * 0.12, -math.cos(raise_rad)]))
                elbow = shoulder + b.upper_arm * upper
                fore = _rotate(upper, Y, -math.radians(12.0))
                wrist = elbow + b.forearm * fore
                hand_dir = fore
                thumb = Z
            thumb = _unit(thumb - np.dot(thumb, hand_dir) * hand_dir)
            palm = np.cross(hand_dir, thumb)
            frames[f"{side}_hand"] = np.column_stack([hand_dir, thumb, palm])
            landmarks[f"{side}_elbow"], landmarks[f"{side}_wrist"] = elbow, wrist
            landmarks[f"{side}_index"] = wrist + 0.075 * b.height * hand_dir + 0.012 * \
                b.height * thumb
            landmarks[f"{side}_pinky"] = wrist + 0.065 * b.height * hand_dir - 0.014 * \
                b.height * thumb
            landmarks[f"{side}_thumb"] = wrist + 0.035 * b.height * hand_dir + 0.025 * \
                b.height * thumb
