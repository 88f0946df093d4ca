"""Annotated images for trainers: skeleton, the reference's ghost, key angles in trainer words
with units, phase, rep count and score in large type, active faults in the alert colour."""

from __future__ import annotations

import math

import cv2
import numpy as np

from squat_common.names import PHASE_NAMES
from squat_pose.analysis import FrameAnalysis
from squat_pose.landmarks import SKELETON
from squat_pose.pose_estimation import PoseResult

# Per view, the measures shown: (measure, trainer words, unit, format).
LABELS = {
    "front": (("knee_valgus_left", "L knee valgus", "deg", ".0f"),
              ("knee_valgus_right", "R knee valgus", "deg", ".0f"),
              ("pelvis_shift", "pelvis shift", "hip widths", ".2f")),
    "side": (("knee_flexion_left", "L knee flexion", "deg", ".0f"),
             ("knee_flexion_right", "R knee flexion", "deg", ".0f"),
             ("hip_flexion_left", "L hip flexion", "deg", ".0f"),
             ("hip_flexion_right", "R hip flexion", "deg", ".0f"),
             ("trunk_lean", "trunk lean", "deg", ".0f")),
}
BONE, JOINT, TEXT, ALERT = (80, 220, 80), (255, 255, 255), (255, 255, 255), (60, 60, 255)
GHOST = (255, 170, 40)  # the reference: a light blue, apart from the athlete's green
FIRST_BODY_POINT = 11  # the ghost leaves the face out: MediaPipe's face says nothing of a squat
FONT = cv2.FONT_HERSHEY_SIMPLEX
# Text sizes at 480 rows, scaled with the image: the headline is read from across the room.
HEADLINE_SCALE, LINE_SCALE = 0.9, 0.55


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
    size = canvas.shape[0] / 480
    phase = PHASE_NAMES[int(analysis.phase)] if analysis else "UNKNOWN"
    headline = f"{view.upper()}  {phase}  REPS {analysis.rep_count if analysis else 0}"
    if score is not None and not math.isnan(score):
        headline += f"  SCORE {score:.0f}"
    y = draw_text(canvas, headline, (8, 8), HEADLINE_SCALE * size, TEXT)
    lines = []
    if analysis is not None:
        lines = [f"{words} {analysis.measures[name].value:{form}} {unit}"
                 for name, words, unit, form in LABELS[view] if name in analysis.measures]
    if pose is None:
        lines.append("no person found")
    for line in lines:
        y = draw_text(canvas, line, (8, y + round(6 * size)), LINE_SCALE * size, TEXT)
    if analysis is not None and analysis.active_faults:
        faults = ", ".join(code.replace("_", " ") for code in analysis.active_faults)
        height = cv2.getTextSize(faults, FONT, HEADLINE_SCALE * size, 1)[0][1]
        draw_text(canvas, faults, (8, canvas.shape[0] - height - round(16 * size)),
                  HEADLINE_SCALE * size, ALERT)
    return canvas


def draw_text(canvas: np.ndarray, text: str, top_left: tuple[int, int], scale: float,
              colour: tuple[int, int, int]) -> int:
    """`text` with a dark outline, its top left at `top_left`; the y just below it.

    The glyphs are rasterised once into a mask and the outline is that mask grown, so outline
    and fill can never drift apart (two putText calls of different thickness advance their
    glyphs differently in OpenCV 5, which doubled every line)."""
    thickness = max(1, round(scale * 2))
    (width, height), baseline = cv2.getTextSize(text, FONT, scale, thickness)
    pad = thickness + 2
    mask = np.zeros((height + baseline + 2 * pad, width + 2 * pad), np.uint8)
    cv2.putText(mask, text, (pad, pad + height), FONT, scale, 255, thickness, cv2.LINE_AA)
    outline = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=max(1, thickness))
    x, y = top_left
    rows = slice(max(y, 0), min(y + mask.shape[0], canvas.shape[0]))
    cols = slice(max(x, 0), min(x + mask.shape[1], canvas.shape[1]))
    if rows.start >= rows.stop or cols.start >= cols.stop:
        return y + mask.shape[0]
    region = canvas[rows, cols].astype(np.float32)
    crop = (slice(rows.start - y, rows.stop - y), slice(cols.start - x, cols.stop - x))
    for layer, paint in ((outline[crop], (0, 0, 0)), (mask[crop], colour)):
        alpha = (layer.astype(np.float32) / 255.0)[..., None]
        region = region * (1 - alpha) + np.array(paint, np.float32) * alpha
    canvas[rows, cols] = region.astype(np.uint8)
    return y + mask.shape[0]
