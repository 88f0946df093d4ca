"""A printed board for calibrating cameras: a checkerboard, or a ChArUco board (a checkerboard
with an ArUco marker in each white square, so every corner is known by its id and a board seen
only in part still counts).

OpenCV's conventions: a checkerboard is counted in `columns` x `rows` inner corners (where four
squares meet), its frame's origin at the first corner; a ChArUco board in squares, its origin at
the printed pattern's top-left corner. Either frame has x along a row of corners, y along a
column (down the printed page), z into the board. A checkerboard with one even and one odd count
has no 180-degree symmetry, so two cameras number its corners alike; a ChArUco board's markers
number them. Imports no rclpy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

GRID = re.compile(r"\s*(\d+)\s*[xX]\s*(\d+)\s*")
MIN_CORNERS, MAX_CORNERS = 3, 30
DEFAULT_ARUCO_DICTIONARY = "4X4_50"  # ROS camera_calibration's default for ChArUco boards
# ChArUco detection as used here came with OpenCV 4.7 (Ubuntu 24.04's python3-opencv is 4.6).
CHARUCO_AVAILABLE = hasattr(getattr(cv2, "aruco", None), "CharucoDetector")
ARUCO_DICTIONARIES = [name[len("DICT_"):] for name in dir(getattr(cv2, "aruco", None))
                      if re.fullmatch(r"DICT_\d+X\d+_\d+", name)]
Quad = np.ndarray  # four corners in the board's frame (4, 3), m


def _grid(grid: str, example: str) -> tuple[int, int]:
    match = GRID.fullmatch(grid)
    if not match:
        raise ValueError(f"board {grid!r}: give it as COLUMNSxROWS, e.g. {example}")
    return int(match[1]), int(match[2])


def _square_m(square_mm: float) -> float:
    if not 5.0 <= square_mm <= 500.0:
        raise ValueError(f"square size {square_mm:g} mm: measure one printed square (5-500 mm)")
    return square_mm / 1000.0


def _quad(x0: float, y0: float, x1: float, y1: float) -> Quad:
    return np.array([[x0, y0, 0.0], [x1, y0, 0.0], [x1, y1, 0.0], [x0, y1, 0.0]])


@dataclass(frozen=True)
class CalibrationBoard:
    """A checkerboard of `columns` x `rows` inner corners, squares `square_m` wide."""

    columns: int
    rows: int
    square_m: float

    @classmethod
    def parse(cls, grid: str, square_mm: float) -> CalibrationBoard:
        """From "7x6" and the square size in mm; ValueError saying what is wrong."""
        columns, rows = _grid(grid, "7x6 inner corners (a board of 8 x 7 squares)")
        if not (min(columns, rows) >= MIN_CORNERS and max(columns, rows) <= MAX_CORNERS):
            raise ValueError(f"board {grid}: {MIN_CORNERS}-{MAX_CORNERS} inner corners each way")
        if (columns + rows) % 2 == 0:
            raise ValueError(f"board {grid}: one count must be even and the other odd, or the "
                             "two cameras may number its corners from opposite ends")
        return cls(columns, rows, _square_m(square_mm))

    @property
    def pattern_size(self) -> tuple[int, int]:
        """(columns, rows), as OpenCV's board functions take it."""
        return self.columns, self.rows

    def corners(self) -> np.ndarray:
        """The inner corners in the board's frame (columns * rows, 3), m, OpenCV's order."""
        x, y = np.meshgrid(np.arange(self.columns), np.arange(self.rows))
        return np.column_stack([x.ravel(), y.ravel(), np.zeros(x.size)]) * self.square_m

    def pattern(self) -> Quad:
        """The printed squares' outer edge in the board's frame."""
        s = self.square_m
        return _quad(-s, -s, self.columns * s, self.rows * s)

    def dark(self) -> list[Quad]:
        """The black squares, to draw the board over white."""
        s = self.square_m
        return [_quad(a * s, b * s, (a + 1) * s, (b + 1) * s)
                for a in range(-1, self.columns) for b in range(-1, self.rows) if (a + b) % 2 == 0]

    def describe(self) -> str:
        return (f"checkerboard {self.columns}x{self.rows} corners, "
                f"{self.square_m * 1000:g} mm squares")


@dataclass(frozen=True)
class CharucoBoard:
    """A ChArUco board of `columns` x `rows` squares `square_m` wide, markers `marker_m` wide
    from the ArUco `dictionary` (e.g. "4X4_50"), laid out as OpenCV (4.6 and later) prints it."""

    columns: int
    rows: int
    square_m: float
    marker_m: float
    dictionary: str = DEFAULT_ARUCO_DICTIONARY

    @classmethod
    def parse(cls, grid: str, square_mm: float, marker_mm: float,
              dictionary: str = DEFAULT_ARUCO_DICTIONARY) -> CharucoBoard:
        """From "8x6" squares, the square and marker sizes in mm and the dictionary's name
        ("4X4_50" or "DICT_4X4_50"); ValueError saying what is wrong."""
        if not CHARUCO_AVAILABLE:
            raise ValueError(f"a ChArUco board needs OpenCV 4.7 or later (this is "
                             f"{cv2.__version__}): install the project's (scripts/setup) or "
                             "use a checkerboard")
        columns, rows = _grid(grid, "8x6 squares")
        if not (min(columns, rows) >= MIN_CORNERS and max(columns, rows) <= MAX_CORNERS):
            raise ValueError(f"board {grid}: {MIN_CORNERS}-{MAX_CORNERS} squares each way")
        square_m = _square_m(square_mm)
        if not 0.3 * square_mm <= marker_mm < square_mm:
            raise ValueError(f"marker size {marker_mm:g} mm: measure one printed marker's black "
                             f"edge, smaller than the {square_mm:g} mm square it sits in and "
                             "at least 30 % of it")
        name = dictionary.upper().removeprefix("DICT_")
        if name not in ARUCO_DICTIONARIES:
            raise ValueError(f"ArUco dictionary {dictionary!r}: one of "
                             f"{', '.join(sorted(ARUCO_DICTIONARIES))}")
        board = cls(columns, rows, square_m, marker_mm / 1000.0, name)
        markers = (columns * rows) // 2
        if markers > board.opencv.getDictionary().bytesList.shape[0]:
            raise ValueError(f"board {grid}: its {markers} markers do not fit the {name} "
                             "dictionary: give the one it was printed with")
        return board

    @cached_property
    def opencv(self) -> cv2.aruco.CharucoBoard:
        """OpenCV's board, for detecting it."""
        dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco,
                                                               f"DICT_{self.dictionary}"))
        return cv2.aruco.CharucoBoard((self.columns, self.rows), self.square_m, self.marker_m,
                                      dictionary)

    def corners(self) -> np.ndarray:
        """The inner corners in the board's frame ((columns-1) * (rows-1), 3), m, by id."""
        x, y = np.meshgrid(np.arange(1, self.columns), np.arange(1, self.rows))
        return np.column_stack([x.ravel(), y.ravel(), np.zeros(x.size)]) * self.square_m

    def pattern(self) -> Quad:
        """The printed squares' outer edge in the board's frame."""
        return _quad(0.0, 0.0, self.columns * self.square_m, self.rows * self.square_m)

    def dark(self) -> list[Quad]:
        """The black squares and each marker's black cells, to draw the board over white."""
        s = self.square_m
        quads = [_quad(a * s, b * s, (a + 1) * s, (b + 1) * s)
                 for a in range(self.columns) for b in range(self.rows) if (a + b) % 2 == 0]
        dictionary = self.opencv.getDictionary()
        cells = dictionary.markerSize + 2  # the bits and a one-cell black border
        for marker_id, outline in zip(self.opencv.getIds(), self.opencv.getObjPoints(),
                                      strict=True):
            bits = dictionary.generateImageMarker(int(marker_id), cells)
            origin, step = outline[0], (outline[2][0] - outline[0][0]) / cells
            for row, column in zip(*np.nonzero(bits == 0), strict=True):
                x0, y0 = origin[0] + column * step, origin[1] + row * step
                quads.append(_quad(x0, y0, x0 + step, y0 + step))
        return quads

    def describe(self) -> str:
        return (f"ChArUco {self.columns}x{self.rows} squares, {self.square_m * 1000:g} mm squares,"
                f" {self.marker_m * 1000:g} mm {self.dictionary} markers")


Board = CalibrationBoard | CharucoBoard
