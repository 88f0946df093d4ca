"""Calibrate two cameras with a board both see (a checkerboard or a ChArUco board), then place
them in the athlete's world.

The board is waved in front of both cameras (tilted, turned, at a few places), then put away
and the athlete stands in view. Each camera's lens comes from all the frames it saw the board
in (OpenCV's `calibrateCamera`, Zhang's method), unless the lens is already calibrated: square
pixels, the principal point at the image centre, no tangential distortion and no k3, because a
board waved at one distance cannot separate those from the focal length (measured on the
rendered board: freeing the principal point moved it 5-18 px and the side camera 5-17 cm) and a
webcam's are close to them; the side camera's pose relative to the front one from
the frames both saw it in (`stereoCalibrate` with the lenses fixed), in metres from the printed
square size. The board says nothing of the floor or of which way the athlete faces, so the world
frame (REP 103) comes from the athlete standing, as in the athlete-only calibration. A
checkerboard counts only where a camera sees it whole; a ChArUco board's corners are known by
their markers, so a frame that sees part of it counts with the corners it shows (both cameras'
shared ones for the relative pose). Imports no rclpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from squat_common.calibration_board import Board, CalibrationBoard, CharucoBoard
from squat_common.rig_calibration import CameraCalibration, RigCalibration
from squat_pose.athlete_frame import placed, world_from_standing
from squat_pose.triangulation import Observation, triangulate

LENS_FLAGS = (cv2.CALIB_ZERO_TANGENT_DIST | cv2.CALIB_FIX_K3 | cv2.CALIB_FIX_ASPECT_RATIO
              | cv2.CALIB_FIX_PRINCIPAL_POINT)
TERMINATION = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_COUNT, 100, 1e-6)
SUBPIXEL_TERMINATION = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_COUNT, 50, 1e-3)
# Fewer corners than this, or all in one row or column of the board, do not fix a view's pose.
MIN_VIEW_CORNERS = 6


class BoardCalibrationError(ValueError):
    """The recordings cannot calibrate the rig with the board, with the reason and what to do."""


@dataclass(frozen=True)
class BoardSettings:
    """What the board calibration needs and accepts."""

    min_lens_views: int = 8  # frames of the board per camera to calibrate its lens
    max_lens_views: int = 40  # more add time, not accuracy: spread evenly over the recording
    min_shared_views: int = 5  # frames both cameras saw the board in
    max_rms_px: float = 1.0  # corners a good board calibration reprojects within
    max_reprojection_px: float = 12.0  # the athlete's standing keypoints, for the world frame
    min_visibility: float = 0.6


def find_board(image: np.ndarray, board: Board) -> np.ndarray | None:
    """The board's inner corners in a bgr8 or mono8 image (n, 2, px, in the board's order; NaN
    where a ChArUco board's corner is not seen), or None when too little of it is there."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if isinstance(board, CalibrationBoard):
        return _find_checkerboard(grey, board)
    found, ids, _, _ = _charuco_detector(board).detectBoard(grey)
    if ids is None:
        return None
    corners = np.full((len(board.corners()), 2), np.nan)
    corners[ids.ravel()] = found.reshape(-1, 2)
    return corners if _fixes_a_pose(corners, board) else None


def _fixes_a_pose(corners: np.ndarray, board: Board) -> bool:
    grid = board.corners()[np.isfinite(corners[:, 0])]
    return (len(grid) >= MIN_VIEW_CORNERS and np.ptp(grid[:, 0]) > 0
            and np.ptp(grid[:, 1]) > 0)


@lru_cache(maxsize=4)
def _charuco_detector(board: CharucoBoard) -> cv2.aruco.CharucoDetector:
    return cv2.aruco.CharucoDetector(board.opencv)


def _find_checkerboard(grey: np.ndarray, board: CalibrationBoard) -> np.ndarray | None:
    found, corners = cv2.findChessboardCornersSB(grey, board.pattern_size,
                                                 flags=cv2.CALIB_CB_NORMALIZE_IMAGE)
    if not found:
        return None
    # The detector's corners are ~0.15 px off on a board of small squares (measured on the
    # rendered board: the focal length comes out 1.5 % long); the gradient refinement brings
    # them to ~0.06 px, with a window that stays inside one square so no neighbour pulls.
    # (A ChArUco board's corners come refined by its detector, in a window kept off the
    # markers: this one, reaching into them, made its calibration 3x worse.)
    grid = corners.reshape(board.rows, board.columns, 2)
    spacing = min(np.linalg.norm(np.diff(grid, axis=0), axis=2).min(),
                  np.linalg.norm(np.diff(grid, axis=1), axis=2).min())
    half = int(np.clip(spacing // 3, 2, 10))
    refined = cv2.cornerSubPix(grey, corners.astype(np.float32), (half, half), (-1, -1),
                               SUBPIXEL_TERMINATION)
    return refined.reshape(-1, 2).astype(np.float64)


def _spread(items: list, most: int) -> list:
    if len(items) <= most:
        return items
    return [items[i] for i in np.linspace(0, len(items) - 1, most).round().astype(int)]


def _matched(board: Board, *views: np.ndarray) -> tuple[np.ndarray, ...]:
    """The board's corners every view saw (float32), and where each view saw them."""
    seen = np.logical_and.reduce([np.isfinite(view[:, 0]) for view in views])
    return (board.corners()[seen].astype(np.float32),
            *(view[seen].astype(np.float32) for view in views))


def calibrate_lens(view: str, sightings: list[np.ndarray | None], size: tuple[int, int],
                   board: Board, settings: BoardSettings = BoardSettings()
                   ) -> tuple[CameraCalibration, float]:
    """One camera's intrinsics from its frames of the board (pose left at the origin) and the
    RMS reprojection error (px)."""
    seen = [corners for corners in sightings if corners is not None]
    if len(seen) < settings.min_lens_views:
        # Never found at all is most often a board described wrong (another grid, kind or
        # dictionary: each was tried on a recorded ChArUco board and found nothing).
        never = (f"; not in any frame: is {board.describe()} the board printed?" if not seen
                 else "")
        raise BoardCalibrationError(
            f"the {view} camera saw the board in {len(seen)} frames (needs "
            f"{settings.min_lens_views} to calibrate its lens): wave the board slowly in view, "
            f"tilted several ways, or give the lens calibrations (--intrinsics){never}")
    grids, pixels = zip(*(_matched(board, corners)
                          for corners in _spread(seen, settings.max_lens_views)), strict=True)
    width, height = size
    start = np.array([[width, 0, (width - 1) / 2], [0, width, (height - 1) / 2], [0, 0, 1.0]])
    rms, matrix, distortion, _, _ = cv2.calibrateCamera(
        list(grids), list(pixels), size, start, np.zeros(5),
        flags=LENS_FLAGS | cv2.CALIB_USE_INTRINSIC_GUESS, criteria=TERMINATION)
    return CameraCalibration(view, width, height, matrix, distortion.ravel()[:5], np.eye(3),
                             np.zeros(3)), float(rms)


def relative_pose(front: list[np.ndarray | None], side: list[np.ndarray | None],
                  lenses: dict[str, CameraCalibration], board: Board,
                  settings: BoardSettings = BoardSettings()
                  ) -> tuple[dict[str, CameraCalibration], float, int]:
    """Both cameras with the front one at the origin (its optical frame) and the side one
    where the board puts it (m), the RMS reprojection error (px) and the frames used."""
    shared = [_matched(board, f, s) for f, s in zip(front, side, strict=False)
              if f is not None and s is not None]
    shared = [views for views in shared if len(views[0]) >= MIN_VIEW_CORNERS]
    if len(shared) < settings.min_shared_views:
        raise BoardCalibrationError(
            f"both cameras saw the board at once in {len(shared)} frames (needs "
            f"{settings.min_shared_views}): hold it where both see it, its face turned "
            "between them")
    grids, front_pixels, side_pixels = (list(views) for views in zip(*shared, strict=True))
    f_lens, s_lens = lenses["front"], lenses["side"]
    rms, *_, rotation, offset, _, _ = cv2.stereoCalibrate(
        grids, front_pixels, side_pixels, f_lens.matrix, f_lens.distortion,
        s_lens.matrix, s_lens.distortion, (f_lens.width, f_lens.height),
        flags=cv2.CALIB_FIX_INTRINSIC, criteria=TERMINATION)
    # x_side = R x_front + T: the side optical frame's axes and origin in the front's.
    side = CameraCalibration("side", s_lens.width, s_lens.height, s_lens.matrix,
                             s_lens.distortion, rotation.T, (-rotation.T @ offset).ravel())
    return {"front": f_lens, "side": side}, float(rms), len(shared)


def calibrate_from_board(front: list[np.ndarray | None], side: list[np.ndarray | None],
                         lenses: dict[str, CameraCalibration], athlete_front: list[Observation],
                         athlete_side: list[Observation], board: Board,
                         settings: BoardSettings = BoardSettings()) -> RigCalibration:
    """The rig from the board's corners in each pair of frames (None where a view did not
    see it whole), the lenses, and the athlete's keypoints in the same recordings (for the
    floor and forward direction)."""
    relative, rms, shared = relative_pose(front, side, lenses, board, settings)
    if rms > settings.max_rms_px:
        raise BoardCalibrationError(
            f"the board's corners reproject {rms:.2f} px RMS (at most {settings.max_rms_px:g}): "
            "a lens calibration that does not fit these cameras, or the board bent or moving "
            "fast (blur)")
    rig = RigCalibration(relative, source="board")
    points = np.stack([triangulate({"front": f, "side": s}, rig, settings.max_reprojection_px,
                                   settings.min_visibility).points
                       for f, s in zip(athlete_front, athlete_side, strict=False)]
                      ) if athlete_front else np.empty((0, 33, 3))
    cameras = placed(relative, *world_from_standing(points))
    return RigCalibration(cameras, source="board", reprojection_error_px=rms, notes=[
        f"{board.describe()}, seen by both cameras in {shared} frames",
        "world frame from the athlete standing"])
