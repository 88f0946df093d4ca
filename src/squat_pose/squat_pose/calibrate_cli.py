"""`coach calibrate`: a rig calibration from the athlete alone, no board.

    coach calibrate --front F --side S --athlete-height 1.75 [--fov-deg 60 |
        --intrinsics FRONT.yaml SIDE.yaml] -o rig.yaml

F and S are the two cameras' recordings of the same moments (video files played as two cameras
started together, image folders, or `--bag` a session bag). MediaPipe finds the athlete in
both; self_calibration turns the keypoints into both cameras' poses in the athlete's world
frame (REP 103: z up, y the athlete's left, x forward, origin on the floor below the ankles),
scaled by the stated height. The result is written in the rig calibration format pose_node's
`calibration_path` and `coach analyze --calibration` read, with its reprojection error; a poor
one is refused with the reason and nothing is written. Imports no rclpy.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from sensor_msgs.msg import CameraInfo

from squat_common.camera_info import CameraInfoError, load_calibration
from squat_common.cli_numbers import number
from squat_common.frame_sources import SourceError
from squat_common.output_files import unwritable_reason
from squat_common.rig_calibration import CameraCalibration, save_rig
from squat_pose.pose_estimation import PoseResult
from squat_pose.self_calibration import SelfCalibrationError, calibrate_from_athlete
from squat_pose.triangulation import Observation
from squat_pose.video_session import analysed_frames, recordings

# A typical webcam's horizontal field of view, for cameras whose intrinsics are not given.
DEFAULT_FOV_DEG = 60.0
LANDMARKS = 33


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `coach calibrate`."""
    parser.add_argument("--front", type=Path, help="recording of the front camera")
    parser.add_argument("--side", type=Path, help="recording of the side camera (same moments)")
    parser.add_argument("--bag", type=Path, help="a recorded session: both its cameras")
    parser.add_argument("--athlete-height", type=number(float, 1.0, 2.5, what="metres, "
                                                        "from 1.0 to 2.5"),
                        required=True, dest="height_m",
                        help="the athlete's height in metres: sets the calibration's scale")
    lens = parser.add_mutually_exclusive_group()
    lens.add_argument("--fov-deg", type=number(float, 20.0, 150.0, what="degrees, from 20 to "
                                               "150"),
                      help="both cameras' horizontal field of view (default "
                           f"{DEFAULT_FOV_DEG:g}, a typical webcam's), for uncalibrated cameras")
    lens.add_argument("--intrinsics", type=Path, nargs=2, metavar=("FRONT", "SIDE"),
                      help="each camera's camera_calibration YAML (camera_info)")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="the rig calibration YAML to write")


def _observation(pose: PoseResult | None) -> Observation:
    if pose is None:
        return Observation(np.full((LANDMARKS, 2), np.nan), np.zeros(LANDMARKS))
    return Observation(np.asarray(pose.pixels, float), np.asarray(pose.visibility, float),
                       np.asarray(pose.world, float))


def _camera(view: str, size: tuple[int, int], info: CameraInfo | None,
            fov_deg: float) -> CameraCalibration:
    """The view's intrinsics, from its camera_info or the field of view (its pose is what
    calibration finds)."""
    width, height = size
    if info is not None:
        if (info.width, info.height) != (width, height):
            raise CameraInfoError(
                f"{view} intrinsics are for {info.width}x{info.height} images, the recording "
                f"is {width}x{height}: calibrate the camera at the size it records")
        matrix, distortion = np.array(info.k, float).reshape(3, 3), np.zeros(5)
        distortion[:min(5, len(info.d))] = list(info.d)[:5]
    else:
        focal = (width / 2) / math.tan(math.radians(fov_deg) / 2)
        matrix = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1.0]])
        distortion = np.zeros(5)
    return CameraCalibration(view, width, height, matrix, distortion, np.eye(3), np.zeros(3))


def keypoints(videos: dict[str, Path]) -> tuple[list[Observation], list[Observation],
                                                dict[str, tuple[int, int]]]:
    """Both views' keypoints, frame by frame, and each view's image size."""
    front, side, sizes = [], [], {}
    for frame in analysed_frames(videos):
        for view, pose in frame.poses.items():
            if pose is not None:
                sizes.setdefault(view, (pose.width, pose.height))
        front.append(_observation(frame.poses.get("front")))
        side.append(_observation(frame.poses.get("side")))
    return front, side, sizes


def run(args: argparse.Namespace) -> int:
    """Run `coach calibrate`; 0 with the calibration written, 2 on bad input or a calibration
    that is refused (with the reason)."""
    problem = unwritable_reason(args.output)
    try:
        if problem:
            raise SourceError(problem)
        videos = recordings(args.front, args.side, args.bag)
        if set(videos) != {"front", "side"}:
            raise SourceError("calibration needs both cameras: give --front and --side (or a "
                              "bag with both)")
        # Read before any frame is analysed: a wrong file is said at once.
        infos = ({view: load_calibration(f"file://{path.expanduser().resolve()}")
                  for view, path in zip(("front", "side"), args.intrinsics, strict=True)}
                 if args.intrinsics else {})
        front, side, sizes = keypoints(videos)
        missing = [view for view in ("front", "side") if view not in sizes]
        if missing:
            raise SelfCalibrationError(f"nobody was found in the {' and '.join(missing)} "
                                       "recording")
        fov_deg = args.fov_deg or DEFAULT_FOV_DEG
        cameras = {view: _camera(view, sizes[view], infos.get(view), fov_deg)
                   for view in ("front", "side")}
        rig = calibrate_from_athlete(front, side, cameras, args.height_m)
    except (SourceError, CameraInfoError, SelfCalibrationError) as error:
        print(f"coach calibrate: {error}", file=sys.stderr)
        return 2
    save_rig(args.output, rig)
    lens = ("intrinsics from " + ", ".join(map(str, args.intrinsics)) if args.intrinsics
            else f"{args.fov_deg or DEFAULT_FOV_DEG:g} deg horizontal field of view")
    print(f"coach calibrate: wrote {args.output}: reprojection error "
          f"{rig.reprojection_error_px:.2f} px (median), {'; '.join(rig.notes)}; {lens}")
    for view, camera in rig.cameras.items():
        x, y, z = camera.position
        print(f"  {view:5s} camera at x {x:+.2f} y {y:+.2f} z {z:+.2f} m (world: z up, x the "
              "athlete's forward)")
    return 0
