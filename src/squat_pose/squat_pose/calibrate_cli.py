"""`coach calibrate`: a rig calibration, from the athlete alone, from a board, or from what the
cameras publish.

    coach calibrate --front F --side S --athlete-height 1.75 [--fov-deg 60 |
        --intrinsics FRONT.yaml SIDE.yaml] -o rig.yaml
    coach calibrate --front F --side S --board 7x6 --square-mm 100
        [--intrinsics FRONT.yaml SIDE.yaml] -o rig.yaml
    coach calibrate --front F --side S --charuco 5x4 --square-mm 200 --marker-mm 150
        [--aruco-dict 4X4_50] [--intrinsics FRONT.yaml SIDE.yaml] -o rig.yaml
    coach calibrate --bag B --from-tf [--world-frame world] -o rig.yaml

F and S are the two cameras' recordings of the same moments (video files played as two cameras
started together, image folders, or `--bag` a session bag). From the athlete: MediaPipe finds
the athlete in both and self_calibration turns the keypoints into both cameras' poses, scaled
by the stated height. From a board (a checkerboard, or a ChArUco board, which also counts where
a camera sees only part of it): the board waved in both views calibrates each lens (unless
given) and the cameras' relative pose in metres (board_calibration). Either way the world frame
(REP 103: z up, y the athlete's left, x forward, origin on the floor below the ankles) comes
from the athlete standing in both views. From TF: the bag's camera_info and /tf_static, for
cameras whose lenses and mounts are already known (published_calibration). The result is
written in the rig calibration format pose_node's `calibration_path` and `coach analyze
--calibration` read; a poor one is refused with the reason and nothing is written. Imports no
rclpy.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from squat_common.bag_reading import check_bag, decoded_messages
from squat_common.calibration_board import (
    ARUCO_DICTIONARIES,
    DEFAULT_ARUCO_DICTIONARY,
    Board,
    CalibrationBoard,
    CharucoBoard,
)
from squat_common.camera_info import CameraInfoError, load_calibration, pinhole_info
from squat_common.cli_numbers import number
from squat_common.frame_sources import SourceError
from squat_common.output_files import unwritable_reason
from squat_common.rig_calibration import (
    CalibrationError,
    CameraCalibration,
    RigCalibration,
    save_rig,
)
from squat_pose.athlete_frame import AthleteFrameError
from squat_pose.board_calibration import (
    BoardCalibrationError,
    calibrate_from_board,
    calibrate_lens,
    find_board,
)
from squat_pose.pose_estimation import MultiViewEstimator, PoseResult
from squat_pose.published_calibration import (
    StaticTransform,
    camera_intrinsics,
    rig_from_published,
)
from squat_pose.self_calibration import SelfCalibrationError, calibrate_from_athlete
from squat_pose.triangulation import Observation
from squat_pose.video_session import VIEWS, analysed_frames, paired_images, recordings

# A typical webcam's horizontal field of view, for cameras whose intrinsics are not given.
DEFAULT_FOV_DEG = 60.0
LANDMARKS = 33
TF_STATIC = "/tf_static"
CALIBRATION_ERRORS = (SourceError, CameraInfoError, CalibrationError, SelfCalibrationError,
                      BoardCalibrationError, AthleteFrameError)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `coach calibrate`."""
    parser.add_argument("--front", type=Path, help="recording of the front camera")
    parser.add_argument("--side", type=Path, help="recording of the side camera (same moments)")
    parser.add_argument("--bag", type=Path, help="a recorded session: both its cameras")
    parser.add_argument("--athlete-height", type=number(float, 1.0, 2.5, what="metres, "
                                                        "from 1.0 to 2.5"),
                        dest="height_m",
                        help="calibrate from the athlete alone: their height in metres sets "
                             "the scale")
    parser.add_argument("--board", metavar="COLUMNSxROWS",
                        help="calibrate with a checkerboard of this many inner corners (e.g. "
                             "7x6) waved in both views before the athlete stands in them")
    parser.add_argument("--charuco", metavar="COLUMNSxROWS",
                        help="calibrate with a ChArUco board of this many squares (e.g. 5x4) "
                             "waved in both views before the athlete stands in them")
    parser.add_argument("--square-mm", type=number(float, 5.0, 500.0, what="mm, from 5 to 500"),
                        help="the board's printed square size in mm (with --board or --charuco)")
    parser.add_argument("--marker-mm", type=number(float, 1.0, 500.0, what="mm, from 1 to 500"),
                        help="a ChArUco marker's printed size in mm (with --charuco)")
    parser.add_argument("--aruco-dict", metavar="NAME",
                        help="the ChArUco board's marker dictionary, one of "
                             f"{', '.join(sorted(ARUCO_DICTIONARIES))} (with --charuco; default "
                             f"{DEFAULT_ARUCO_DICTIONARY})")
    parser.add_argument("--from-tf", action="store_true",
                        help="calibrate from the bag's camera_info and /tf_static (cameras "
                             "whose lenses and poses are published)")
    parser.add_argument("--world-frame", default="world",
                        help="with --from-tf: the TF frame the cameras' poses are taken in "
                             "(default world)")
    lens = parser.add_mutually_exclusive_group()
    lens.add_argument("--fov-deg", type=number(float, 20.0, 150.0, what="degrees, from 20 to "
                                               "150"),
                      help="both cameras' horizontal field of view (default "
                           f"{DEFAULT_FOV_DEG:g}, a typical webcam's), for uncalibrated cameras")
    lens.add_argument("--intrinsics", type=Path, nargs=2, metavar=("FRONT", "SIDE"),
                      help="each camera's camera_calibration YAML (camera_info)")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="the rig calibration YAML to write")


def _method(args: argparse.Namespace) -> str:
    """"tf", "board" or "athlete"; SourceError for options that do not go together."""
    chosen = [name for name, given in (("tf", args.from_tf), ("board", args.board),
                                       ("charuco", args.charuco), ("athlete", args.height_m))
              if given]
    if len(chosen) != 1:
        raise SourceError("say how to calibrate: --athlete-height H (from the athlete alone), "
                          "--board COLUMNSxROWS --square-mm MM (a checkerboard), --charuco "
                          "COLUMNSxROWS --square-mm MM --marker-mm MM (a ChArUco board), or "
                          "--from-tf (a bag's camera_info and TF)"
                          + (", only one" if chosen else ""))
    method = chosen[0]
    boards = ("board", "charuco")
    if method not in boards and args.square_mm is not None:
        raise SourceError("--square-mm goes with --board or --charuco")
    if method in boards and args.square_mm is None:
        raise SourceError(f"--{method} needs --square-mm: the printed size of one square sets "
                          "the calibration's scale")
    if method != "charuco" and (args.marker_mm is not None or args.aruco_dict is not None):
        raise SourceError("--marker-mm and --aruco-dict go with --charuco")
    if method == "charuco" and args.marker_mm is None:
        raise SourceError("--charuco needs --marker-mm: the printed size of one marker's black "
                          "square")
    if method != "athlete" and args.fov_deg is not None:
        raise SourceError("--fov-deg is for calibrating from the athlete alone (a board "
                          "calibrates the lenses; camera_info carries them)")
    if method == "tf" and (args.bag is None or args.intrinsics):
        raise SourceError("--from-tf reads a session bag's camera_info and /tf_static: give "
                          "--bag alone")
    return "board" if method in boards else method


def _board(args: argparse.Namespace) -> Board:
    try:
        if args.charuco:
            return CharucoBoard.parse(args.charuco, args.square_mm, args.marker_mm,
                                      args.aruco_dict or DEFAULT_ARUCO_DICTIONARY)
        return CalibrationBoard.parse(args.board, args.square_mm)
    except ValueError as error:
        raise SourceError(str(error)) from None


def _observation(pose: PoseResult | None) -> Observation:
    if pose is None:
        return Observation(np.full((LANDMARKS, 2), np.nan), np.zeros(LANDMARKS))
    return Observation(np.asarray(pose.pixels, float), np.asarray(pose.visibility, float),
                       np.asarray(pose.world, float))


def _lens(view: str, size: tuple[int, int], info: object | None,
          fov_deg: float) -> CameraCalibration:
    """The view's intrinsics, from its camera_info or the field of view (its pose is what
    calibration finds)."""
    width, height = size
    if info is not None:
        if (info.width, info.height) != (width, height):
            raise CameraInfoError(
                f"{view} intrinsics are for {info.width}x{info.height} images, the recording "
                f"is {width}x{height}: calibrate the camera at the size it records")
        return camera_intrinsics(view, info)
    return camera_intrinsics(view, pinhole_info(width, height, fov_deg))


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


def _from_athlete(args: argparse.Namespace, videos: dict[str, Path],
                  infos: dict[str, object]) -> RigCalibration:
    front, side, sizes = keypoints(videos)
    missing = [view for view in VIEWS if view not in sizes]
    if missing:
        raise SelfCalibrationError(f"nobody was found in the {' and '.join(missing)} "
                                   "recording")
    fov_deg = args.fov_deg or DEFAULT_FOV_DEG
    cameras = {view: _lens(view, sizes[view], infos.get(view), fov_deg) for view in VIEWS}
    return calibrate_from_athlete(front, side, cameras, args.height_m)


def _from_board(args: argparse.Namespace, videos: dict[str, Path],
                infos: dict[str, object]) -> RigCalibration:
    board = _board(args)
    corners: dict[str, list[np.ndarray | None]] = {view: [] for view in VIEWS}
    athlete: dict[str, list[Observation]] = {view: [] for view in VIEWS}
    sizes: dict[str, tuple[int, int]] = {}
    pairs = paired_images(videos)
    estimator = MultiViewEstimator(VIEWS)
    try:
        # One pass: the board where it is, the athlete where they are. A pair with the board
        # in it is not the athlete standing for the world frame: no pose is estimated there.
        for _, images in pairs:
            found = {view: find_board(image, board) if image is not None else None
                     for view, image in images.items()}
            poses = (estimator.estimate(images) if all(c is None for c in found.values())
                     else {})
            for view in VIEWS:
                image = images.get(view)
                if image is not None:
                    sizes.setdefault(view, (image.shape[1], image.shape[0]))
                corners[view].append(found.get(view))
                athlete[view].append(_observation(poses.get(view)))
    finally:
        pairs.close()
        estimator.close()
    missing = [view for view in VIEWS if view not in sizes]
    if missing:
        raise SourceError(f"the {' and '.join(missing)} recording has no frames")
    lenses = {}
    for view in VIEWS:
        if view in infos:
            lenses[view] = _lens(view, sizes[view], infos[view], DEFAULT_FOV_DEG)
        else:
            lenses[view], rms = calibrate_lens(view, corners[view], sizes[view], board)
            print(f"  {view} lens from {sum(c is not None for c in corners[view])} board "
                  f"frames: focal {lenses[view].matrix[0, 0]:.1f} px, {rms:.2f} px RMS")
    return calibrate_from_board(corners["front"], corners["side"], lenses, athlete["front"],
                                athlete["side"], board)


def _from_tf(args: argparse.Namespace) -> RigCalibration:
    check_bag(args.bag)
    infos = {}
    for view in VIEWS:
        info = next(decoded_messages(args.bag, f"/{view}/camera_info",
                                     "sensor_msgs/msg/CameraInfo"), None)
        if info is None:
            raise SourceError(f"the bag {args.bag} holds no /{view}/camera_info")
        infos[view] = info
    transforms = [StaticTransform.from_message(transform)
                  for message in decoded_messages(args.bag, TF_STATIC, "tf2_msgs/msg/TFMessage")
                  for transform in message.transforms]
    if not transforms:
        raise SourceError(f"the bag {args.bag} holds no {TF_STATIC}: its cameras did not "
                          "publish their poses (calibrate with a board or from the athlete)")
    return rig_from_published(infos, transforms, args.world_frame)


def run(args: argparse.Namespace) -> int:
    """Run `coach calibrate`; 0 with the calibration written, 2 on bad input or a calibration
    that is refused (with the reason)."""
    problem = unwritable_reason(args.output)
    try:
        if problem:
            raise SourceError(problem)
        method = _method(args)
        if method == "tf":
            rig = _from_tf(args)
        else:
            videos = recordings(args.front, args.side, args.bag)
            if set(videos) != set(VIEWS):
                raise SourceError("calibration needs both cameras: give --front and --side (or "
                                  "a bag with both)")
            # Read before any frame is analysed: a wrong file is said at once.
            infos = ({view: load_calibration(f"file://{path.expanduser().resolve()}")
                      for view, path in zip(VIEWS, args.intrinsics, strict=True)}
                     if args.intrinsics else {})
            rig = (_from_board if method == "board" else _from_athlete)(args, videos, infos)
    except CALIBRATION_ERRORS as error:
        print(f"coach calibrate: {error}", file=sys.stderr)
        return 2
    save_rig(args.output, rig)
    quality = ("" if math.isnan(rig.reprojection_error_px) else
               f"reprojection error {rig.reprojection_error_px:.2f} px "
               f"({'RMS of the board corners' if rig.source == 'board' else 'median'}), ")
    print(f"coach calibrate: wrote {args.output} (from {rig.source}): {quality}"
          f"{'; '.join(rig.notes)}")
    for view, camera in rig.cameras.items():
        x, y, z = camera.position
        print(f"  {view:5s} camera at x {x:+.2f} y {y:+.2f} z {z:+.2f} m (world: z up, x the "
              "athlete's forward)")
    return 0
