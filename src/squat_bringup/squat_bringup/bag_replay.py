"""What a replay plays from a session bag: each camera's recorded frames and camera info, in
the order they were received, with their receive times. Imports no rclpy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rosbags.rosbag2 import Reader
from rosbags.rosbag2.errors import ReaderError

from squat_common.settings import setting

COMPRESSED = "/image_raw/compressed"
CAMERA_INFO = "/camera_info"


@dataclass(frozen=True)
class ReplaySettings:
    """Which bag, how fast: bag_player's parameters."""

    bag_path: str = setting("", "The session bag folder to play.", read_only=True)
    rate: float = setting(1.0, "Playback speed: 2.0 plays twice as fast.", low=0.05, high=20.0,
                          read_only=True)

    def problems(self) -> list[str]:
        return [] if self.bag_path else ["bag_path: give the bag folder to play"]


class ReplayError(RuntimeError):
    """A bag that cannot be replayed, with the reason."""


@dataclass(frozen=True)
class RecordedMessage:
    """One serialized message of a camera as the recorder received it."""

    view: str  # the camera's namespace: front, side
    kind: str  # COMPRESSED or CAMERA_INFO
    received_ns: int
    data: bytes


def _camera_topic(topic: str) -> tuple[str, str] | None:
    for kind in (COMPRESSED, CAMERA_INFO):
        if topic.endswith(kind) and topic.count("/") == kind.count("/") + 1:
            return topic[1:-len(kind)], kind
    return None


def camera_views(path: Path) -> list[str]:
    """The cameras whose frames the bag holds, e.g. ['front', 'side']."""
    reader = _open(path)
    try:
        return sorted({found[0] for c in reader.connections
                       if (found := _camera_topic(c.topic)) and found[1] == COMPRESSED
                       and c.msgcount})
    finally:
        reader.close()


def camera_messages(path: Path) -> Iterator[RecordedMessage]:
    """Every camera frame and camera info of the bag, in receive order."""
    reader = _open(path)
    try:
        wanted = [c for c in reader.connections if _camera_topic(c.topic)]
        for connection, received_ns, data in reader.messages(wanted):
            view, kind = _camera_topic(connection.topic)
            yield RecordedMessage(view, kind, received_ns, bytes(data))
    finally:
        reader.close()


def topic_messages(path: Path, topic: str) -> Iterator[bytes]:
    """The serialized messages of one topic of the bag, in receive order (none if absent)."""
    reader = _open(path)
    try:
        wanted = [c for c in reader.connections if c.topic == topic]
        for _, _, data in reader.messages(wanted):
            yield bytes(data)
    finally:
        reader.close()


def _open(path: Path) -> Reader:
    if not (path / "metadata.yaml").is_file():
        raise ReplayError(f"{path} is not a rosbag2 bag (no metadata.yaml)")
    reader = Reader(path)
    try:
        reader.open()
    except ReaderError as error:
        raise ReplayError(f"cannot read the bag {path}: {error}") from None
    return reader
