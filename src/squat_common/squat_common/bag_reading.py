"""Reading a session bag (rosbag2, as `coach run --record` writes it): each camera's recorded
frames and camera info in the order they were received, one topic's messages, and each camera
as a frame source for the offline analysis. Used by the replay (squat_bringup) and by
`coach analyze` / `coach reference build --bag` (squat_pose). Imports no rclpy: messages are
decoded with the rosbags type store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from rosbags.rosbag2 import Reader
from rosbags.rosbag2.errors import ReaderError
from rosbags.serde import SerdeError
from rosbags.typesys import Stores, get_typestore

from squat_common.frame_sources import DEFAULT_FPS, CapturedFrame, SourceError

COMPRESSED = "/image_raw/compressed"
CAMERA_INFO = "/camera_info"
COMPRESSED_TYPE = "sensor_msgs/msg/CompressedImage"


class BagReadError(SourceError):
    """A bag that cannot be read, with the reason."""


@dataclass(frozen=True)
class RecordedMessage:
    """One serialized message of a camera as the recorder received it."""

    view: str  # the camera's namespace: front, side
    kind: str  # COMPRESSED or CAMERA_INFO
    received_ns: int
    data: bytes


def is_bag(path: Path) -> bool:
    """Whether `path` is a rosbag2 bag folder."""
    return (path / "metadata.yaml").is_file()


def _camera_topic(topic: str) -> tuple[str, str] | None:
    for kind in (COMPRESSED, CAMERA_INFO):
        if topic.endswith(kind) and topic.count("/") == kind.count("/") + 1:
            return topic[1:-len(kind)], kind
    return None


def camera_frame_counts(path: Path) -> dict[str, int]:
    """How many frames the bag holds of each camera that has any, e.g. {'front': 750, ...}."""
    reader = _open(path)
    try:
        counts: dict[str, int] = {}
        for connection in reader.connections:
            found = _camera_topic(connection.topic)
            if found and found[1] == COMPRESSED and connection.msgcount:
                counts[found[0]] = counts.get(found[0], 0) + connection.msgcount
        return counts
    finally:
        reader.close()


def camera_views(path: Path) -> list[str]:
    """The cameras whose frames the bag holds, e.g. ['front', 'side']."""
    return sorted(camera_frame_counts(path))


def camera_messages(path: Path, view: str | None = None,
                    kinds: tuple[str, ...] = (COMPRESSED, CAMERA_INFO)
                    ) -> Iterator[RecordedMessage]:
    """The bag's camera frames and camera infos (of one camera, or of all), in receive order."""
    reader = _open(path)
    try:
        wanted = [c for c in reader.connections
                  if (found := _camera_topic(c.topic)) and found[1] in kinds
                  and view in (None, found[0])]
        try:
            for connection, received_ns, data in reader.messages(wanted):
                found_view, kind = _camera_topic(connection.topic)
                yield RecordedMessage(found_view, kind, received_ns, bytes(data))
        except ReaderError as error:
            raise BagReadError(f"cannot read the bag {path}: {error}") from None
    finally:
        reader.close()


def topic_messages(path: Path, topic: str) -> Iterator[bytes]:
    """The serialized messages of one topic of the bag, in receive order (none if absent)."""
    reader = _open(path)
    try:
        wanted = [c for c in reader.connections if c.topic == topic]
        if not wanted:
            return  # rosbags reads every topic when given none
        for _, _, data in reader.messages(wanted):
            yield bytes(data)
    finally:
        reader.close()


def decoded_messages(path: Path, topic: str, msgtype: str) -> Iterator[object]:
    """The messages of one topic of the bag, decoded as `msgtype` (a rosbags message, read
    by attribute as rclpy's), in receive order; BagReadError for a bag that cannot be read."""
    typestore = get_typestore(Stores.ROS2_JAZZY)
    try:
        for data in topic_messages(path, topic):
            yield typestore.deserialize_cdr(data, msgtype)
    except (ReaderError, SerdeError) as error:
        raise BagReadError(f"cannot read {topic} of the bag {path}: {error}") from None


def check_bag(path: Path) -> None:
    """BagReadError, with what to do, unless `path` is a closed rosbag2 bag folder."""
    if is_bag(path):
        return
    if path.is_dir() and any(path.glob("*.mcap")):
        raise BagReadError(f"the bag {path} was not closed (its recorder was killed?): "
                           f"'coach bag reindex {path}' recovers what reached the disk")
    raise BagReadError(f"{path} is not a rosbag2 bag (no metadata.yaml)")


def _open(path: Path) -> Reader:
    check_bag(path)
    reader = Reader(path)
    try:
        reader.open()
    except ReaderError as error:
        raise BagReadError(f"cannot read the bag {path}: {error}") from None
    return reader


class BagFrameSource:
    """One camera of a session bag as a frame source: its recorded JPEG frames decoded, each
    stamped with its capture time (the original header stamp) counted from the bag's first
    camera frame, so the cameras of one bag pair as they did live and times start near 0 as
    a video file's do."""

    intrinsics = None
    pose = None

    def __init__(self, path: Path, view: str) -> None:
        self.path = path
        self.view = view
        self.description = f"{view} camera of the bag {path}"
        self.decode_failures = 0
        self.nominal_fps = DEFAULT_FPS
        self._origin_ns = 0
        self._messages: Iterator[RecordedMessage] | None = None
        self._typestore = get_typestore(Stores.ROS2_JAZZY)

    def open(self) -> None:
        """Check the bag holds this camera; BagReadError says why it cannot be played."""
        views = camera_views(self.path)
        if self.view not in views:
            raise BagReadError(f"the bag {self.path} holds no {self.view} camera frames "
                               f"(it has: {', '.join(views) or 'none'})")
        stamps: dict[str, list[int]] = {}
        for message in camera_messages(self.path, kinds=(COMPRESSED,)):
            stamps.setdefault(message.view, []).append(
                self._stamp_ns(self._decode(message.data)))
        self._origin_ns = min(min(found) for found in stamps.values())
        intervals = np.diff(np.sort(np.asarray(stamps[self.view], dtype=np.int64)))
        intervals = intervals[intervals > 0]
        if intervals.size:
            self.nominal_fps = 1e9 / float(np.median(intervals))
        self._messages = camera_messages(self.path, self.view, (COMPRESSED,))

    def read(self) -> CapturedFrame | None:
        """The next frame that decodes; None at the end of the bag."""
        if self._messages is None:
            self.open()
        for message in self._messages:
            compressed = self._decode(message.data)
            image = cv2.imdecode(np.asarray(compressed.data, np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                self.decode_failures += 1
                continue
            return CapturedFrame(image, self._stamp_ns(compressed) - self._origin_ns)
        return None

    def close(self) -> None:
        """Stop reading the bag."""
        if self._messages is not None:
            self._messages.close()
            self._messages = None

    def _decode(self, data: bytes):  # noqa: ANN202 - a rosbags message class made at run time
        return self._typestore.deserialize_cdr(data, COMPRESSED_TYPE)

    @staticmethod
    def _stamp_ns(compressed) -> int:  # noqa: ANN001 - as above
        return compressed.header.stamp.sec * 1_000_000_000 + compressed.header.stamp.nanosec
