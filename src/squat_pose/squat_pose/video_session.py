"""One or two video files analysed frame by frame, offline, as pose_node analyses a live pair.

The side video drives (it sees the rep best); each of its frames is paired with the front
frame nearest in time (the files play as two cameras started together). Shared by `coach
analyze` and `coach reference build`. Imports no rclpy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from squat_common.frame_sources import (
    DEFAULT_FPS,
    IMAGE_SUFFIXES,
    CapturedFrame,
    FrameSource,
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


def _open(path: Path) -> FrameSource:
    # As fast as frames decode: no pacing, stamps are the file's own frame times (a folder's
    # images at 30 fps), the sources the camera node plays.
    return open_media(path, now_ns=lambda: 0, sleep=lambda _: None)


def analysed_frames(videos: dict[str, Path], analyzer: SquatAnalyzer | None = None,
                    step: Callable[[], None] = lambda: None) -> Iterator[AnalysedFrame]:
    """Every frame of the videos (view -> path) analysed by `analyzer`; SourceError when a
    video cannot be played. The analyzer's reports hold the reps once this is exhausted."""
    analyzer = analyzer or SquatAnalyzer(AnalyzerSettings())
    sources = {view: _open(path) for view, path in videos.items()}
    primary = "side" if "side" in sources else "front"
    other = "front" if primary == "side" and "front" in sources else None
    estimator = MultiViewEstimator(tuple(sources))
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
            poses = estimator.estimate(images)
            t = frame.stamp_ns / 1e9
            yield AnalysedFrame(t, poses, analyzer.update(t, poses.get("front"),
                                                          poses.get("side")))
            step()
        analyzer.finish()
    finally:
        estimator.close()
        for source in sources.values():
            source.close()


def frame_count(path: Path) -> int:
    """How many frames a video file says it has, or a folder's images (0: unknown)."""
    import cv2

    if path.is_dir():
        return sum(p.suffix.lower() in IMAGE_SUFFIXES for p in path.iterdir())
    capture = cv2.VideoCapture(str(path))
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    capture.release()
    return max(count, 0)


def video_fps(path: Path) -> float:
    """A video file's frame rate (30 when it does not say, and for a folder)."""
    import cv2

    if path.is_dir():
        return DEFAULT_FPS
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return float(fps) if fps and fps > 0 else DEFAULT_FPS
