"""Fitting frames into the published size without distorting the person in them."""

from __future__ import annotations

import cv2
import numpy as np


def fit_within(image: np.ndarray, max_width: int, max_height: int) -> np.ndarray:
    """`image` scaled down, aspect ratio kept, to fit max_width x max_height; never enlarged."""
    height, width = image.shape[:2]
    scale = min(max_width / width, max_height / height)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
