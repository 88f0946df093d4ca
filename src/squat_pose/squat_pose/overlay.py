"""Annotated images for trainers: skeleton, key angles, phase, rep count and faults."""

from __future__ import annotations

import math

import cv2
import numpy as np

from squat_common.names import PHASE_NAMES
from squat_pose.analysis import FrameAnalysis
from squat_pose.landmarks import SKELETON
from squat_pose.pose_estimation import PoseResult

LABELS = {"front": ("knee_valgus_left", "knee_valgus_right", "pelvis_shift"),
          "side": ("knee_flexion_left", "knee_flexion_right", "hip_flexion_left",
                   "hip_flexion_right", "trunk_lean")}
BONE, JOINT, TEXT, ALERT = (80, 220, 80), (255, 255, 255), (255, 255, 255), (60, 60, 255)
GHOST = (255, 170, 40)  # the reference: a light blue, apart from the athlete's green
FIRST_BODY_POINT = 11  # the ghost leaves the face out: MediaPipe's face says nothing of a squat


def draw_overlay(image: np.ndarray, view: str, pose: PoseResult | None,
                 analysis: FrameAnalysis | None, score: float | None = None,
                 min_visibility: float = 0.5, ghost: np.ndarray | None = None) -> np.ndarray:
    """A copy of the bgr8 `image` annotated for `view`; `ghost` (33 x 2 pixels) is the
    reference's pose at this moment, drawn under the athlete's skeleton in its own colour."""
    canvas = image.copy()
    if ghost is not None:
        for a, b in SKELETON:
            if a >= FIRST_BODY_POINT and np.isfinite(ghost[[a, b]]).all():
                cv2.line(canvas, tuple(np.round(ghost[a]).astype(int)),
                         tuple(np.round(ghost[b]).astype(int)), GHOST, 2, cv2.LINE_AA)
    if pose is not None:
        points = np.round(pose.pixels).astype(int)
        for a, b in SKELETON:
            if min(pose.visibility[a], pose.visibility[b]) >= min_visibility:
                cv2.line(canvas, tuple(points[a]), tuple(points[b]), BONE, 2, cv2.LINE_AA)
        for index, point in enumerate(points):
            if pose.visibility[index] >= min_visibility:
                cv2.circle(canvas, tuple(point), 3, JOINT, -1, cv2.LINE_AA)
    lines = [f"{view}  {PHASE_NAMES[int(analysis.phase)] if analysis else 'UNKNOWN'}"
             f"  reps {analysis.rep_count if analysis else 0}"]
    if score is not None and not math.isnan(score):
        lines[0] += f"  score {score:.0f}"
    if analysis is not None:
        for name in LABELS[view]:
            if name in analysis.measures:
                lines.append(f"{name} {analysis.measures[name].value:.1f}")
    if pose is None:
        lines.append("no person found")
    for row, text in enumerate(lines):
        _text(canvas, text, (8, 22 + 20 * row), TEXT)
    if analysis is not None and analysis.active_faults:
        _text(canvas, " ".join(analysis.active_faults), (8, canvas.shape[0] - 10), ALERT)
    return canvas


def _text(canvas: np.ndarray, text: str, origin: tuple[int, int], colour: tuple) -> None:
    cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 1, cv2.LINE_AA)
