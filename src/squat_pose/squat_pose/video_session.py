"""One or two recordings analysed frame by frame, offline, as pose_node analyses a live pair.

A recording is a video file, an image folder, or a session bag (each camera its own view of
it). The side view drives (it sees the rep best); each of its frames is paired with the front
frame nearest in time (files play as two cameras started together; a bag's frames keep their
capture stamps). Shared by `coach analyze` and `coach reference build`. Imports no rclpy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from squat_common.bag_reading import BagFrameSource, camera_frame_counts, check_bag, is_bag
from squat_common.frame_sources import (
    DEFAULT_FPS,
    IMAGE_SUFFIXES,
    CapturedFrame,
    FrameSource,
    SourceError,
    open_media,
)
from squat_pose.analysis import AnalyzerSettings, FrameAnalysis, SquatAnalyzer
from squat_pose.pose_estimation import MultiViewEstimator, PoseResult


@dataclass(frozen=True)
class AnalysedFrame:
    """One analysed frame: its time, each view's pose, and the analysis."""

    t: float
    poses: dict[str, PoseResult | None]
    analysis: FrameAnalysis


VIEWS = ("front", "side")


def recordings(front: Path | None, side: Path | None, bag: Path | None) -> dict[str, Path]:
    """View -> recording for a command's --front / --side / --bag; SourceError says what is
    wrong with the choice (a bag goes alone and gives each camera it holds)."""
    if bag is not None:
        if front is not None or side is not None:
            raise SourceError("give --bag alone: it holds both cameras")
        check_bag(bag)
        views = [view for view in VIEWS if view in camera_frame_counts(bag)]
        if not views:
            raise SourceError(f"the bag {bag} holds no front or side camera frames")
        return {view: bag for view in views}
    found = {view: path for view, path in zip(VIEWS, (front, side), strict=True)
             if path is not None}
    if not found:
        raise SourceError("give --front, --side or both (or --bag)")
    return found


def open_recording(path: Path, view: str) -> FrameSource:
    """The `view` camera of a recording, opened; SourceError when it cannot be played."""
    if is_bag(path):
        source: FrameSource = BagFrameSource(path, view)
        source.open()
        return source
    # As fast as frames decode: no pacing, stamps are the file's own frame times (a folder's
    # images at 30 fps), the sources the camera node plays.
    return open_media(path, now_ns=lambda: 0, sleep=lambda _: None)


def paired_images(videos: dict[str, Path]) -> Iterator[tuple[float, dict[str, np.ndarray | None]]]:
    """Every frame of the driving view (the side one when there is one) with the other view's
    frame nearest in time: (time s, view -> bgr8 image or None). The recordings are opened
    now: SourceError at once when one cannot be played."""
    sources: dict[str, FrameSource] = {}
    try:
        for view, path in videos.items():
            sources[view] = open_recording(path, view)
    except BaseException:
        for source in sources.values():
            source.close()
        raise
    return _pairs(sources)


def _pairs(sources: dict[str, FrameSource]
           ) -> Iterator[tuple[float, dict[str, np.ndarray | None]]]:
    primary = "side" if "side" in sources else "front"
    other = "front" if primary == "side" and "front" in sources else None
    lookahead: CapturedFrame | None = None
    current_other: CapturedFrame | None = None
    try:
        while (frame := sources[primary].read()) is not None:
            if other is not None:
                # Advance the other view to its frame nearest this one in time.
                while True:
                    if lookahead is None:
                        lookahead = sources[other].read()
                    if lookahead is None or (current_other is not None and
                                             abs(lookahead.stamp_ns - frame.stamp_ns) >
                                             abs(current_other.stamp_ns - frame.stamp_ns)):
                        break
                    current_other, lookahead = lookahead, None
            images = {primary: frame.image}
            if other is not None:
                images[other] = current_other.image if current_other else None
            yield frame.stamp_ns / 1e9, images
    finally:
        for source in sources.values():
            source.close()


def analysed_frames(videos: dict[str, Path], analyzer: SquatAnalyzer | None = None,
                    step: Callable[[], None] = lambda: None) -> Iterator[AnalysedFrame]:
    """Every frame of the recordings (view -> path) analysed by `analyzer`; SourceError when
    one cannot be played. The analyzer's reports hold the reps once this is exhausted."""
    analyzer = analyzer or SquatAnalyzer(AnalyzerSettings())
    pairs = paired_images(videos)
    estimator = MultiViewEstimator(tuple(videos))
    try:
        for t, images in pairs:
            poses = estimator.estimate(images)
            yield AnalysedFrame(t, poses, analyzer.update(t, poses.get("front"),
                                                          poses.get("side")))
            step()
        analyzer.finish()
    finally:
        pairs.close()
        estimator.close()


def frame_count(path: Path, view: str) -> int:
    """How many frames a recording says it has of `view` (0: unknown)."""
    import cv2

    if is_bag(path):
        return camera_frame_counts(path).get(view, 0)
    if path.is_dir():
        return sum(p.suffix.lower() in IMAGE_SUFFIXES for p in path.iterdir())
    capture = cv2.VideoCapture(str(path))
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    capture.release()
    return max(count, 0)


def recording_fps(path: Path, view: str) -> float:
    """A recording's frame rate: a video file's own (30 when it does not say, and for a
    folder), a bag camera's from its capture stamps."""
    import cv2

    if is_bag(path):
        source = BagFrameSource(path, view)
        source.open()
        source.close()
        return source.nominal_fps
    if path.is_dir():
        return DEFAULT_FPS
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return float(fps) if fps and fps > 0 else DEFAULT_FPS
