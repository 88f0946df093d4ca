"""The measures of geometry.py from triangulated 3D landmarks, in the athlete's own frame.

The calibration's world frame has z up (REP 103). The athlete's frame: `left` along the hip
line (left hip minus right hip) made level, `up` the world's z, `forward` = left x up. Each
measure keeps geometry.py's name and written definition, with that view's image plane replaced
by the athlete's own plane: side-view measures in the sagittal (forward, up) plane, front-view
ones in the frontal (left, up) plane. So nothing depends on where the cameras stand, or on the
athlete facing either of them. Exceptions, where 3D can do better than a plane: knee flexion is
the full hip-knee-ankle angle; heel height and pitch are metric heights over the torso length.
Imports no rclpy.
"""

from __future__ import annotations

import numpy as np

from squat_pose.geometry import (
    L_ANKLE,
    L_HEEL,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    L_TOE,
    R_ANKLE,
    R_HEEL,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
    R_TOE,
    SIDES,
    Measure,
    interior_angle,
)

UP = np.array([0.0, 0.0, 1.0])
VIEW = "3d"


def body_axes(points: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(forward, left) unit vectors of the athlete, or None without both hips."""
    hip_line = points[L_HIP] - points[R_HIP]
    level = hip_line - UP * hip_line[2]
    length = float(np.linalg.norm(level))
    if not np.isfinite(length) or length < 1e-6:
        return None
    left = level / length
    return np.cross(left, UP), left


def _signed_in_plane(vector: np.ndarray, along: np.ndarray) -> float:
    """Angle (deg) of `vector` from straight up, in the plane of `along` and up, positive
    towards `along`."""
    return float(np.degrees(np.arctan2(np.dot(vector, along), np.dot(vector, UP))))


# Every measure measures_3d may give (what a view's own measure of the same name stands in for
# when 3D lacks it).
MEASURES_3D = frozenset({
    *(f"{measure}_{side}" for measure in ("knee_flexion", "ankle_dorsiflexion", "knee_valgus",
                                          "thigh_angle", "hip_flexion")
      for side in ("left", "right")),
    "trunk_lean", "depth", "heel_height", "heel_pitch", "pelvis_shift", "knee_separation",
    "thigh_angle", "asymmetry"})


def measures_3d(points: np.ndarray, confidence: np.ndarray) -> dict[str, Measure]:
    """Every measure the landmarks allow; `points` (33, 3) with NaN where not triangulated,
    `confidence` (33,) 0..1."""
    axes = body_axes(points)
    if axes is None:
        return {}
    forward, left = axes
    found: dict[str, Measure] = {}

    finite = np.isfinite(points).all(axis=1).tolist()
    trust = confidence.tolist()

    def have(*joints: int) -> float | None:
        if all(finite[j] for j in joints):
            return float(min(trust[j] for j in joints))
        return None

    def sagittal(point: np.ndarray) -> np.ndarray:
        return np.array([np.dot(point, forward), point[2]])

    def frontal(point: np.ndarray) -> np.ndarray:
        return np.array([np.dot(point, left), point[2]])

    p = points
    for side, (shoulder, hip, knee, ankle) in SIDES.items():
        if (c := have(hip, knee, ankle)) is not None:
            found[f"knee_flexion_{side}"] = Measure(
                180 - interior_angle(p[hip], p[knee], p[ankle]), c, VIEW)
            found[f"ankle_dorsiflexion_{side}"] = Measure(
                _signed_in_plane(p[knee] - p[ankle], forward), c, VIEW)
            h, k, a = frontal(p[hip]), frontal(p[knee]), frontal(p[ankle])
            bend = 180 - interior_angle(h, k, a)
            # Inward: the knee lies on the midline's side of the hip-ankle line.
            line_at_knee = h[0] + (a[0] - h[0]) * np.dot(k - h, a - h) / max(
                float(np.dot(a - h, a - h)), 1e-12)
            medial = -1.0 if side == "left" else 1.0
            inward = 1.0 if (k[0] - line_at_knee) * medial > 0 else -1.0
            found[f"knee_valgus_{side}"] = Measure(inward * bend, c, VIEW)
            thigh = p[hip] - p[knee]
            found[f"thigh_angle_{side}"] = Measure(
                float(np.degrees(np.arctan2(thigh[2], abs(np.dot(thigh, forward))))), c, VIEW)
        if (c := have(shoulder, hip, knee)) is not None:
            found[f"hip_flexion_{side}"] = Measure(
                180 - interior_angle(sagittal(p[shoulder]), sagittal(p[hip]),
                                     sagittal(p[knee])), c, VIEW)
    if (c := have(L_SHOULDER, R_SHOULDER, L_HIP, R_HIP)) is not None:
        shoulders = (p[L_SHOULDER] + p[R_SHOULDER]) / 2
        hips = (p[L_HIP] + p[R_HIP]) / 2
        torso = float(np.linalg.norm(shoulders - hips))
        found["trunk_lean"] = Measure(_signed_in_plane(shoulders - hips, forward), c, VIEW)
        if (c_knees := have(L_KNEE, R_KNEE)) is not None:
            knees_z = (p[L_KNEE, 2] + p[R_KNEE, 2]) / 2
            found["depth"] = Measure(float((hips[2] - knees_z) / torso), min(c, c_knees), VIEW)
        feet = [(heel, toe) for heel, toe in ((L_HEEL, L_TOE), (R_HEEL, R_TOE))
                if have(heel, toe) is not None]
        if feet:
            heel, toe = max(feet, key=lambda j: min(confidence[list(j)]))
            c_foot = min(c, float(min(confidence[[heel, toe]])))
            found["heel_height"] = Measure(float(p[heel, 2] / torso), c_foot, VIEW)
            found["heel_pitch"] = Measure(float((p[heel, 2] - p[toe, 2]) / torso), c_foot,
                                          VIEW)
    if (c := have(L_HIP, R_HIP, L_ANKLE, R_ANKLE)) is not None:
        hip_line = frontal(p[L_HIP])[0] - frontal(p[R_HIP])[0]
        shift = frontal((p[L_HIP] + p[R_HIP]) / 2)[0] - frontal((p[L_ANKLE] + p[R_ANKLE]) / 2)[0]
        found["pelvis_shift"] = Measure(float(shift / hip_line), c, VIEW)
    if (c := have(L_KNEE, R_KNEE, L_ANKLE, R_ANKLE)) is not None:
        ankles = float(np.linalg.norm(p[L_ANKLE] - p[R_ANKLE]))
        if ankles > 1e-3:
            found["knee_separation"] = Measure(
                float(np.linalg.norm(p[L_KNEE] - p[R_KNEE])) / ankles, c, VIEW)
    # geometry.py's unsided thigh_angle: the leg bent furthest, as there.
    bent = [side for side in SIDES if f"thigh_angle_{side}" in found]
    if bent:
        deepest = max(bent, key=lambda side: found[f"knee_flexion_{side}"].value)
        found["thigh_angle"] = found[f"thigh_angle_{deepest}"]
    if "knee_flexion_left" in found and "knee_flexion_right" in found:
        left_knee, right_knee = found["knee_flexion_left"], found["knee_flexion_right"]
        found["asymmetry"] = Measure(left_knee.value - right_knee.value,
                                     min(left_knee.confidence, right_knee.confidence), VIEW)
    return found
