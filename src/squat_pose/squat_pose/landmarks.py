"""MediaPipe Pose's 33 landmarks: names, indices, and the 17 that COCO also labels."""

from __future__ import annotations

LANDMARK_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)
INDEX: dict[str, int] = {name: index for index, name in enumerate(LANDMARK_NAMES)}

# For each landmark, the one it becomes in a mirror image (left and right trade places).
MIRROR: tuple[int, ...] = tuple(
    INDEX[name.replace("left", "@").replace("right", "left").replace("@", "right")]
    for name in LANDMARK_NAMES)
TOES: tuple[int, int] = (INDEX["left_foot_index"], INDEX["right_foot_index"])
HEELS: tuple[int, int] = (INDEX["left_heel"], INDEX["right_heel"])

# MediaPipe indices of the COCO keypoints, in COCO order (nose, eyes, ears, shoulders, elbows,
# wrists, hips, knees, ankles).
COCO_17: tuple[int, ...] = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)

# Bones drawn for the skeleton (overlay images and RViz markers).
SKELETON: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (24, 26), (26, 28), (28, 30), (30, 32),
    (28, 32), (0, 7), (0, 8),
)
