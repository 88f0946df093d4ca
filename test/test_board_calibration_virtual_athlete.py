"""Board calibration on a rendered board: a checkerboard waved in front of virtual rigs (ideal,
turned 30 deg with one camera low and one high, a near pair 25 deg off), and a ChArUco board in
front of the turned one, found in every frame, each lens calibrated from its frames and the side
camera placed relative to the front one, against the rig's exact cameras. Measured when written:
checkerboard focal lengths within 0.5 %, relative rotation 0.02-0.05 deg, side camera 0.2-1.8 cm
off over a 3.8-5 m baseline; the ChArUco board (5x4 squares of 200 mm: its markers must be
~4 px a cell to be read from 3.5 m at 640x480) within 0.4 %, 0.01 deg and 1.9 cm."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from squat_common.calibration_board import Board, CalibrationBoard, CharucoBoard
from squat_pose.board_calibration import (
    BoardCalibrationError,
    calibrate_from_board,
    calibrate_lens,
    find_board,
    relative_pose,
)
from squat_virtual_athlete.board import BoardRenderer, board_poses
from squat_virtual_athlete.camera import VirtualCamera

BOARD = CalibrationBoard.parse("7x6", 100)
CHARUCO = CharucoBoard.parse("5x4", 200, 150)


def round_athlete(front_deg: float, front_height: float, side_deg: float, side_height: float,
                  distance: float = 3.5) -> list[VirtualCamera]:
    return [VirtualCamera.looking_at(view, (distance * math.cos(math.radians(deg)),
                                            distance * math.sin(math.radians(deg)), height))
            for view, deg, height in (("front", front_deg, front_height),
                                      ("side", side_deg, side_height))]


RIGS = {"ideal": [VirtualCamera.default("front"), VirtualCamera.default("side")],
        "30 deg round, 0.6 and 1.4 m high": round_athlete(30.0, 0.6, 120.0, 1.4),
        "near, 25 deg apart from ideal": round_athlete(-25.0, 1.5, 70.0, 0.5, 2.5)}


def sightings(cameras: list[VirtualCamera], count: int = 20, seed: int = 3, board: Board = BOARD
              ) -> dict[str, list[np.ndarray | None]]:
    poses = board_poses(board, cameras, count, seed)
    return {camera.name: [find_board(BoardRenderer(camera, board, seed).render(pose, i), board)
                          for i, pose in enumerate(poses)] for camera in cameras}


@pytest.mark.parametrize("rig, board", [(rig, BOARD) for rig in RIGS]
                         + [("30 deg round, 0.6 and 1.4 m high", CHARUCO)],
                         ids=[*RIGS, "ChArUco, 30 deg round"])
def test_the_board_gives_each_lens_and_the_side_camera_where_it_stands(rig, board):
    cameras = RIGS[rig]
    found = sightings(cameras, board=board)
    # A board far off a camera's axis or foreshortened may be missed in a frame or two.
    assert all(sum(c is not None for c in view) >= 16 for view in found.values()), found
    lenses = {camera.name: calibrate_lens(camera.name, found[camera.name],
                                          (camera.width, camera.height), board)[0]
              for camera in cameras}
    for camera in cameras:
        focal = lenses[camera.name].matrix[0, 0]
        assert abs(focal / camera.fx - 1) < 0.01, (camera.name, focal, camera.fx)
    relative, rms, shared = relative_pose(found["front"], found["side"], lenses, board)
    front, side = cameras
    true_rotation = front.rotation.T @ side.rotation
    true_position = front.rotation.T @ (side.position - front.position)
    turn = np.degrees(np.arccos(np.clip(
        (np.trace(true_rotation.T @ relative["side"].rotation) - 1) / 2, -1, 1)))
    off_cm = 100 * np.linalg.norm(relative["side"].position - true_position)
    focals = [round(float(lens.matrix[0, 0]), 1) for lens in lenses.values()]
    print(f"{rig}, {board.describe()}: focal {focals} "
          f"(true {front.fx:.1f}), rms {rms:.3f} px, rotation {turn:.3f} deg, side camera "
          f"{off_cm:.1f} cm off over {np.linalg.norm(true_position):.2f} m")
    assert shared >= 12 and rms < 0.3
    assert turn < 0.3 and off_cm < 0.01 * 100 * np.linalg.norm(true_position)


def test_a_frame_without_the_whole_board_finds_none():
    camera = RIGS["ideal"][0]
    renderer = BoardRenderer(camera, BOARD)
    pose = board_poses(BOARD, [camera], 1)[0]
    image = renderer.render(pose)
    assert find_board(image, BOARD) is not None
    image[:, : camera.width // 2] = 128  # half the board hidden
    assert find_board(image, BOARD) is None


def test_a_charuco_board_seen_in_part_gives_the_corners_it_shows_by_their_ids():
    camera = RIGS["ideal"][0]
    pose = board_poses(CHARUCO, [camera], 1)[0]
    image = BoardRenderer(camera, CHARUCO).render(pose)
    whole = find_board(image, CHARUCO)
    assert whole is not None and np.isfinite(whole).all()
    true_pixels, _ = camera.project(pose.corners(CHARUCO))
    assert np.abs(whole - true_pixels).max() < 0.5
    # Its last column and a half of squares hidden (a hand, the frame's edge): the corners
    # of the last column are gone, the rest are where they were.
    s = CHARUCO.square_m
    hidden = np.array([[3.5, -1, 0], [6, -1, 0], [6, 5, 0], [3.5, 5, 0]]) * s
    outline, _ = camera.project(hidden @ pose.rotation.T + pose.origin)
    cv2.fillConvexPoly(image, np.rint(outline).astype(np.int32), (128, 128, 128))
    part = find_board(image, CHARUCO)
    assert part is not None
    shown = np.isfinite(part[:, 0])
    last_column = CHARUCO.corners()[:, 0] > 3.5 * s
    assert not shown[last_column].any() and shown.sum() >= 6
    assert np.abs(part[shown] - whole[shown]).max() < 0.5
    image[:] = 128
    assert find_board(image, CHARUCO) is None


@pytest.mark.parametrize("grid", ["5x4", "4x5", "7x5"])
def test_the_charuco_board_drawn_is_the_one_opencv_prints(grid):
    board = CharucoBoard.parse(grid, 40, 30)
    per_square = 100
    scale = per_square / board.square_m * 16
    drawn = np.full((board.rows * per_square, board.columns * per_square), 255, np.uint8)
    for quad in board.dark():
        cv2.fillConvexPoly(drawn, np.rint(quad[:, :2] * scale).astype(np.int32), 0,
                           cv2.LINE_8, 4)
    printed = board.opencv.generateImage(drawn.shape[::-1], marginSize=0, borderBits=1)
    # OpenCV's image rounds each marker to whole pixels: compare away from the edges.
    edges = cv2.dilate(cv2.Canny(printed, 50, 150), np.ones((7, 7), np.uint8)) > 0
    assert (~edges).mean() > 0.5 and not np.any((drawn != printed) & ~edges)


def test_too_few_views_and_frames_of_different_moments_are_refused_with_the_reason():
    cameras = RIGS["ideal"]
    found = sightings(cameras, count=6)
    with pytest.raises(BoardCalibrationError, match=r"in 6 frames \(needs 8 to calibrate"):
        calibrate_lens("front", found["front"], (640, 480), BOARD)
    with pytest.raises(BoardCalibrationError,
                       match=r"in 0 frames .* is checkerboard 7x6 corners, 100 mm squares the"):
        calibrate_lens("front", [None] * 6, (640, 480), BOARD)
    lenses = {camera.name: calibrate_lens(camera.name, sightings(cameras)[camera.name],
                                          (640, 480), BOARD)[0] for camera in cameras}
    with pytest.raises(BoardCalibrationError, match=r"px RMS \(at most 1"):
        # Each front frame with the next side frame: recordings not of the same moments.
        calibrate_from_board(found["front"][:-1], found["side"][1:], lenses, [], [], BOARD)
    with pytest.raises(BoardCalibrationError, match="at once in 0 frames"):
        relative_pose(found["front"], [None] * 6, lenses, BOARD)


@pytest.mark.parametrize("grid, square_mm, reason", [
    ("7x7", 100, "one count must be even"),
    ("seven", 100, "COLUMNSxROWS"),
    ("2x3", 100, "3-30 inner corners"),
    ("7x6", 1000, "5-500 mm"),
])
def test_a_board_that_cannot_be_used_is_refused(grid, square_mm, reason):
    with pytest.raises(ValueError, match=reason):
        CalibrationBoard.parse(grid, square_mm)


@pytest.mark.parametrize("args, reason", [
    (("8x6", 40, 45), "smaller than the 40 mm square"),
    (("8x6", 40, 8), "at least 30 % of it"),
    (("8x6", 40, 30, "5X5_7"), "ArUco dictionary '5X5_7'"),
    (("12x12", 40, 30), "72 markers do not fit the 4X4_50"),
    (("2x6", 40, 30), "3-30 squares"),
])
def test_a_charuco_board_that_cannot_be_used_is_refused(args, reason):
    with pytest.raises(ValueError, match=reason):
        CharucoBoard.parse(*args)
