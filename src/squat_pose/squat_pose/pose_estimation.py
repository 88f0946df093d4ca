"""MediaPipe Pose (full model) on camera images, one tracking estimator per camera, offline.

Uses the legacy solutions API of mediapipe 0.10.21, whose wheel carries pose_detection.tflite
and pose_landmark_full.tflite (model_complexity=1), so nothing is downloaded. Imports no rclpy.

The side camera's estimator shows MediaPipe the athlete facing one way (SIDE_FACING), mirroring
the image when they face the other and mirroring the landmarks back. MediaPipe reads a mirror
image of a squat differently: 3-4 deg at the hips on real footage (3.7 score points), and a 4 cm
heel lift on the virtual athlete as 0.099 torso lengths facing left but 0.042 facing right. So
without this a coach filmed from one side and an athlete filmed from the other would differ by
the estimator, not by their squats.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from squat_common.settings import setting
from squat_pose.landmarks import HEELS, MIRROR, TOES

# Below this size MediaPipe cannot find a person; such images are answered with "no person".
MIN_SIDE_PX = 32
# Frames in a row the athlete must face the other way before the side estimator turns with
# them: a foot misread for a frame or two must not mirror the image MediaPipe tracks.
TURN_FRAMES = 10
# Facing image left, MediaPipe sees a heel lift clearly (the figures above); -1: left, +1: right.
SIDE_FACING = -1.0


@dataclass(frozen=True)
class PoseResult:
    """The 33 landmarks of one person in one image (arrays in MediaPipe landmark order)."""

    width: int
    height: int
    pixels: np.ndarray  # (33, 2) x, y in pixels, pixel centres at integers (see `in_pixels`)
    normalized: np.ndarray  # (33, 2) x / width, y / height
    z: np.ndarray  # (33,) relative depth, image-width units, hip midpoint origin
    visibility: np.ndarray  # (33,) in [0, 1]
    presence: np.ndarray  # (33,) in [0, 1]
    world: np.ndarray  # (33, 3) metres, hip midpoint origin, camera-aligned axes

    @property
    def score(self) -> float:
        """How sure the estimator is that this is a person: the mean landmark presence."""
        return float(self.presence.mean())

    @property
    def facing(self) -> float:
        """+1 when the athlete faces image right (toes right of heels), else -1."""
        toes = self.pixels[list(TOES), 0].mean()
        heels = self.pixels[list(HEELS), 0].mean()
        return 1.0 if toes >= heels else -1.0


def in_pixels(normalized: np.ndarray, width: int, height: int) -> np.ndarray:
    """MediaPipe's normalized coordinates (0 and 1 the image's edges) as pixel coordinates
    with pixel centres at integers, the convention of OpenCV and camera_info: a calibration's
    K then applies to them as they are."""
    return normalized * (width, height) - 0.5


def in_normalized(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """The inverse of in_pixels: pixel coordinates as MediaPipe's normalized ones."""
    return (np.asarray(pixels, dtype=float) + 0.5) / (width, height)


def mirrored(pose: PoseResult) -> PoseResult:
    """The pose as seen in the horizontally mirrored image: x flipped, left and right traded."""
    order = list(MIRROR)
    normalized = pose.normalized[order] * (-1.0, 1.0) + (1.0, 0.0)
    return PoseResult(
        width=pose.width, height=pose.height,
        pixels=in_pixels(normalized, pose.width, pose.height),
        normalized=normalized, z=pose.z[order], visibility=pose.visibility[order],
        presence=pose.presence[order], world=pose.world[order] * (-1.0, 1.0, 1.0))


def as_bgr(image: np.ndarray) -> np.ndarray:
    """A uint8 bgr8 image from bgr8 or mono8 input; ValueError for anything else."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {getattr(image, 'dtype', type(image))}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    raise ValueError(f"expected a bgr8 or mono8 image, got shape {image.shape}")


@dataclass(frozen=True)
class EstimatorSettings:
    """MediaPipe's confidences; pose_node parameters pose.<name>, fixed while it runs
    (MediaPipe takes them when its graph is built)."""

    min_detection_confidence: float = setting(
        0.5, "MediaPipe: smallest person-detection score that starts tracking.", low=0.0,
        high=1.0, read_only=True)
    min_tracking_confidence: float = setting(
        0.5, "MediaPipe: below this landmark-tracking score the person is detected again.",
        low=0.0, high=1.0, read_only=True)


class PoseEstimator:
    """MediaPipe Pose for one camera in tracking (video) mode; load once, call per frame.

    With `facing` +1 or -1, MediaPipe is shown the athlete facing image right or left (see the
    module's docstring): the image is turned from the first frame with a person facing the
    other way, and again when the athlete has faced the other way for TURN_FRAMES frames;
    0 shows every image as it is."""

    def __init__(self, settings: EstimatorSettings = EstimatorSettings(),
                 facing: float = 0.0) -> None:
        self._settings = settings
        self._facing = facing
        self._mirror = False
        self._turned_frames = 0
        self._seen_once = False
        self._pose = self._graph()

    def _graph(self) -> object:
        import mediapipe as mp  # heavy: imported when an estimator is made, not with the module

        return mp.solutions.pose.Pose(
            static_image_mode=False, model_complexity=1, smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=self._settings.min_detection_confidence,
            min_tracking_confidence=self._settings.min_tracking_confidence)

    def estimate(self, image: np.ndarray) -> PoseResult | None:
        """The person in a bgr8 or mono8 image, or None when there is none."""
        bgr = as_bgr(image)
        height, width = bgr.shape[:2]
        if min(height, width) < MIN_SIDE_PX:
            return None
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        pose = self._process(rgb)
        if pose is not None and self._facing and self._turns(pose.facing):
            # Tracking and smoothing start afresh on the turned image, as they would have had
            # the camera stood on the athlete's other side from the start.
            self._mirror = not self._mirror
            self._pose.close()
            self._pose = self._graph()
            pose = self._process(rgb)
        return pose

    def _process(self, rgb: np.ndarray) -> PoseResult | None:
        found = self._pose.process(cv2.flip(rgb, 1) if self._mirror else rgb)
        if found.pose_landmarks is None:
            return None
        pose = self._pose_result(found, rgb.shape[1], rgb.shape[0])
        return mirrored(pose) if self._mirror else pose

    def _turns(self, facing: float) -> bool:
        """Whether MediaPipe should now be shown the image the other way round."""
        faces_away = facing * (-1.0 if self._mirror else 1.0) != self._facing
        first, self._seen_once = not self._seen_once, True
        self._turned_frames = self._turned_frames + 1 if faces_away else 0
        if faces_away and (first or self._turned_frames >= TURN_FRAMES):
            self._turned_frames = 0
            return True
        return False

    @staticmethod
    def _pose_result(found: object, width: int, height: int) -> PoseResult:
        marks = found.pose_landmarks.landmark
        normalized = np.array([(m.x, m.y) for m in marks], dtype=np.float64)
        visibility = np.array([m.visibility for m in marks], dtype=np.float64)
        presence = np.array([m.presence if m.HasField("presence") else m.visibility
                             for m in marks], dtype=np.float64)
        world = np.array([(m.x, m.y, m.z) for m in found.pose_world_landmarks.landmark],
                         dtype=np.float64)
        return PoseResult(
            width=width, height=height, pixels=in_pixels(normalized, width, height),
            normalized=normalized, z=np.array([m.z for m in marks], dtype=np.float64),
            visibility=visibility, presence=presence, world=world)

    def close(self) -> None:
        """Release the MediaPipe graph."""
        self._pose.close()


class MultiViewEstimator:
    """One PoseEstimator per camera view, run in parallel on a set of images."""

    def __init__(self, views: tuple[str, ...] = ("front", "side"),
                 settings: EstimatorSettings = EstimatorSettings()) -> None:
        self._estimators = {view: PoseEstimator(
            settings, facing=SIDE_FACING if view == "side" else 0.0)
                            for view in views}
        self._pool = ThreadPoolExecutor(max_workers=len(views), thread_name_prefix="pose")

    def estimate(self, images: Mapping[str, np.ndarray | None]
                 ) -> dict[str, PoseResult | None]:
        """The pose in each view's image (None where the image is None or shows nobody)."""
        futures = {view: self._pool.submit(self._estimators[view].estimate, image)
                   for view, image in images.items() if image is not None}
        return {view: futures[view].result() if view in futures else None for view in images}

    def close(self) -> None:
        """Stop the threads and release every MediaPipe graph."""
        self._pool.shutdown()
        for estimator in self._estimators.values():
            estimator.close()
