"""The matrices of camera_calibration's YAML layout (`key: {rows, cols, data: [...]}`), read
the same way for camera_info files and rig calibration files."""

from __future__ import annotations

import numpy as np


def read_matrix(document: dict, key: str, rows: int, cols: int) -> np.ndarray:
    """`document[key]` as a rows x cols array; ValueError saying what the key needs."""
    if key not in document:
        raise ValueError(f"no {key}")
    entry = document[key]
    try:
        values = np.asarray(entry.get("data") if isinstance(entry, dict) else None, float)
    except (TypeError, ValueError):
        values = np.empty(0)
    if values.ndim != 1 or values.size != rows * cols or not np.all(np.isfinite(values)):
        raise ValueError(f"{key} needs {rows * cols} numbers under data:")
    return values.reshape(rows, cols)
