"""Recordings for a board calibration: a checkerboard waved in front of a rendered rig's cameras,
then the rendered athlete session of the same cameras, as one video per camera (the order a
trainer records them in)."""

from __future__ import annotations

from pathlib import Path

import cv2

from squat_common.calibration_board import Board
from squat_virtual_athlete.board import BoardRenderer, board_poses
from squat_virtual_athlete.camera import VirtualCamera

FPS = 30.0


def board_then_session(session: Path, cameras: list[VirtualCamera], board: Board,
                       out: Path, poses: int = 25, hold_frames: int = 2, seed: int = 0
                       ) -> dict[str, Path]:
    """Per camera, `out/<name>.mp4`: the board at `poses` places (each held `hold_frames`
    frames), then every frame of `session/<name>.mp4`."""
    out.mkdir(parents=True, exist_ok=True)
    placed = board_poses(board, cameras, poses, seed)
    videos = {}
    for camera in cameras:
        path = out / f"{camera.name}.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS,
                                 (camera.width, camera.height))
        renderer = BoardRenderer(camera, board, seed)
        index = 0
        for pose in placed:
            for _ in range(hold_frames):
                writer.write(renderer.render(pose, index))
                index += 1
        capture = cv2.VideoCapture(str(session / f"{camera.name}.mp4"))
        while True:
            ok, image = capture.read()
            if not ok:
                break
            writer.write(image)
        capture.release()
        writer.release()
        videos[camera.name] = path
    return videos
