"""A calibration board (checkerboard or ChArUco) held up in front of the virtual cameras: where
it is, and each camera's frame of it over the empty gym, so a board calibration can be tested
against the exact rig.

Poses are drawn the way a person waves a board for calibration: around chest height near where
the athlete will stand, its face turned towards the cameras (between them for a pair), tilted
and turned by up to `max_tilt_deg` so the lenses see it at several angles. Only poses that every
camera sees whole, and at a usable angle, are kept. Imports no rclpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from squat_common.calibration_board import Board
from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.renderer import background, noise_bank, through_lens

SUPERSAMPLE = 4  # edges drawn at 4x and averaged down: sub-pixel accurate corners
SUBPIXEL_BITS = 4
MARGIN_SQUARES = 0.6  # white border round the grid, as printed boards have
WHITE, BLACK = 225, 30
MAX_VIEW_ANGLE_DEG = 65.0  # a camera sees the face at most this far off its normal
EDGE_PX = 12  # every corner this far inside every image


@dataclass(frozen=True)
class BoardPose:
    """The board's frame in the world: columns are its x, y, z axes; origin its first
    corner."""

    rotation: np.ndarray
    origin: np.ndarray

    def corners(self, board: Board) -> np.ndarray:
        """The inner corners in the world frame (n, 3)."""
        return board.corners() @ self.rotation.T + self.origin


def _facing(normal: np.ndarray, roll_rad: float) -> np.ndarray:
    """The board's axes with its printed face towards `normal`: x to a viewer's right, y
    down, z into the board (OpenCV's board frame seen as a camera sees it)."""
    z = -normal / np.linalg.norm(normal)
    x = np.cross(z, [0.0, 0.0, 1.0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    c, s = np.cos(roll_rad), np.sin(roll_rad)
    return np.column_stack([c * x + s * y, -s * x + c * y, z])


def board_poses(board: Board, cameras: list[VirtualCamera], count: int,
                seed: int = 0, centre: tuple[float, float, float] = (0.0, 0.0, 1.1),
                max_tilt_deg: float = 30.0) -> list[BoardPose]:
    """`count` poses every camera sees the whole board in; ValueError when the cameras
    cannot see one board together."""
    rng = np.random.default_rng(seed)
    middle = np.asarray(centre, float)
    towards = sum((c.position - middle) / np.linalg.norm(c.position - middle) for c in cameras)
    if np.linalg.norm(towards) < 1e-3:
        raise ValueError("the cameras face each other across the board: no face of it is "
                         "seen by all")
    middle_of_corners = board.corners().mean(axis=0)
    poses: list[BoardPose] = []
    for _ in range(200 * count):
        if len(poses) == count:
            break
        spot = middle + rng.uniform([-0.3, -0.3, -0.25], [0.3, 0.3, 0.25])
        yaw, pitch = np.radians(rng.uniform(-max_tilt_deg, max_tilt_deg, 2))
        normal = towards / np.linalg.norm(towards)
        cy, sy = np.cos(yaw), np.sin(yaw)
        normal = np.array([cy * normal[0] - sy * normal[1], sy * normal[0] + cy * normal[1],
                           normal[2]])
        normal = normal + np.array([0.0, 0.0, np.sin(pitch)])
        rotation = _facing(normal, np.radians(rng.uniform(-20.0, 20.0)))
        origin = spot - rotation @ middle_of_corners
        pose = BoardPose(rotation, origin)
        if all(_sees(camera, board, pose) for camera in cameras):
            poses.append(pose)
    if len(poses) < count:
        raise ValueError(f"only {len(poses)} of {count} board poses are seen whole by every "
                         "camera: bring the cameras closer together or aim them at the board")
    return poses


def _sees(camera: VirtualCamera, board: Board, pose: BoardPose) -> bool:
    centre = pose.corners(board).mean(axis=0)
    look = camera.position - centre
    angle = np.degrees(np.arccos(np.dot(-pose.rotation[:, 2], look) / np.linalg.norm(look)))
    if angle > MAX_VIEW_ANGLE_DEG:
        return False
    pixels, depth = camera.project(_outline(board, pose))
    return bool(np.all(depth > 0.1) and np.all(pixels >= EDGE_PX)
                and np.all(pixels[:, 0] <= camera.width - 1 - EDGE_PX)
                and np.all(pixels[:, 1] <= camera.height - 1 - EDGE_PX))


def _outline(board: Board, pose: BoardPose) -> np.ndarray:
    """The printed sheet's edge: the pattern and its white margin, in the world."""
    pattern = board.pattern()
    outward = np.sign(pattern - pattern.mean(axis=0)) * MARGIN_SQUARES * board.square_m
    return (pattern + outward) @ pose.rotation.T + pose.origin


class BoardRenderer:
    """Draws the board for one camera over that camera's empty gym, with sensor noise."""

    def __init__(self, camera: VirtualCamera, board: Board, seed: int = 0,
                 noise_sigma: float = 2.0) -> None:
        self.camera, self.board = camera, board
        self._background = background(camera)
        self._noise = noise_bank(camera, seed, noise_sigma) if noise_sigma > 0 else []
        self._dark = board.dark()

    def render(self, pose: BoardPose, frame_index: int = 0) -> np.ndarray:
        """The bgr8 frame of the board at `pose`."""
        camera, scale = self.camera, SUPERSAMPLE * (1 << SUBPIXEL_BITS)
        large = cv2.resize(self._background, None, fx=SUPERSAMPLE, fy=SUPERSAMPLE,
                           interpolation=cv2.INTER_NEAREST)

        def draw(points: np.ndarray, grey: int) -> None:
            pixels, _ = camera.project(points)
            # Pixel x spans [x - 0.5, x + 0.5): its supersampled pixels start at 4 (x + 0.5)
            # - 0.5 in their own centres' coordinates, and fillConvexPoly fills a pixel by its
            # top-left corner (half a pixel on), which cancels the - 0.5.
            spots = np.rint((pixels + 0.5) * scale)
            cv2.fillConvexPoly(large, spots.astype(np.int32), (grey, grey, grey), cv2.LINE_8,
                               SUBPIXEL_BITS)

        draw(_outline(self.board, pose), WHITE)
        for quad in self._dark:
            draw(quad @ pose.rotation.T + pose.origin, BLACK)
        return through_lens(cv2.resize(large, (camera.width, camera.height),
                                       interpolation=cv2.INTER_AREA), self._noise, frame_index)
