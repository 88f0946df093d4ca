"""A printed checkerboard for calibrating cameras: its inner-corner grid and square size.

OpenCV's convention: `columns` x `rows` inner corners (where four squares meet), the board's
own frame with x along a row of corners, y along a column, z out of the printed face, origin
at the first corner. A grid with one even and one odd count has no 180-degree symmetry, so two
cameras number its corners alike. Imports no rclpy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

GRID = re.compile(r"\s*(\d+)\s*[xX]\s*(\d+)\s*")
MIN_CORNERS, MAX_CORNERS = 3, 30


@dataclass(frozen=True)
class CalibrationBoard:
    """A checkerboard of `columns` x `rows` inner corners, squares `square_m` wide."""

    columns: int
    rows: int
    square_m: float

    @classmethod
    def parse(cls, grid: str, square_mm: float) -> CalibrationBoard:
        """From "7x6" and the square size in mm; ValueError saying what is wrong."""
        match = GRID.fullmatch(grid)
        if not match:
            raise ValueError(f"board {grid!r}: give its inner corners as COLUMNSxROWS, e.g. "
                             "7x6 (a board of 8 x 7 squares)")
        columns, rows = int(match[1]), int(match[2])
        if not (min(columns, rows) >= MIN_CORNERS and max(columns, rows) <= MAX_CORNERS):
            raise ValueError(f"board {grid}: {MIN_CORNERS}-{MAX_CORNERS} inner corners each way")
        if (columns + rows) % 2 == 0:
            raise ValueError(f"board {grid}: one count must be even and the other odd, or the "
                             "two cameras may number its corners from opposite ends")
        if not 5.0 <= square_mm <= 500.0:
            raise ValueError(f"square size {square_mm:g} mm: measure one printed square "
                             "(5-500 mm)")
        return cls(columns, rows, square_mm / 1000.0)

    @property
    def pattern_size(self) -> tuple[int, int]:
        """(columns, rows), as OpenCV's board functions take it."""
        return self.columns, self.rows

    def corners(self) -> np.ndarray:
        """The inner corners in the board's frame (columns * rows, 3), m, OpenCV's order."""
        x, y = np.meshgrid(np.arange(self.columns), np.arange(self.rows))
        return np.column_stack([x.ravel(), y.ravel(), np.zeros(x.size)]) * self.square_m
