"""A rosbag2 bag (MCAP storage, Jazzy metadata version 9) written with the `rosbags` library,
for machines without `ros2 bag`. Takes serialized (CDR) messages; imports no rclpy.

Message definitions come from rosbags' Jazzy type store, plus the .msg files of packages it
does not know (squat_msgs), so the bag is self-describing in `ros2 bag info`, Foxglove and
`mcap`. Chunks are written as they fill (1 MiB) and whenever `flush` is called (the recorder
does so every second), so a recorder killed with SIGKILL leaves every message but the last
second's on disk; `bag_recovery` makes that a bag again. The summary and metadata.yaml are
written at close.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rosbags.interfaces import (
    Connection,
    Qos,
    QosDurability,
    QosHistory,
    QosLiveliness,
    QosReliability,
    QosTime,
)
from rosbags.rosbag2 import StoragePlugin, Writer
from rosbags.typesys import Stores, get_types_from_msg, get_typestore

METADATA_VERSION = 9  # Jazzy
UNSET = QosTime(0, 0)


class BagError(RuntimeError):
    """A bag that cannot be written, with the reason."""


def qos(reliable: bool, latched: bool, depth: int = 10) -> Qos:
    """An offered QoS profile as rosbag2 records it."""
    return Qos(QosHistory.KEEP_LAST, depth,
               QosReliability.RELIABLE if reliable else QosReliability.BEST_EFFORT,
               QosDurability.TRANSIENT_LOCAL if latched else QosDurability.VOLATILE,
               UNSET, UNSET, QosLiveliness.AUTOMATIC, UNSET, False)


class BagWriter:
    """Writes one bag folder; add a topic once, then its messages."""

    def __init__(self, path: Path, message_folders: Iterable[tuple[str, Path]] = (),
                 definitions: dict[str, str] | None = None) -> None:
        """`message_folders`: (package, its msg/ folder) for types rosbags does not ship;
        `definitions`: type name -> its full definition text, as a bag's schema holds it."""
        if path.exists():
            raise BagError(f"{path} exists: a bag is written to a new folder")
        if not path.parent.is_dir():
            raise BagError(f"{path.parent} is not a folder")
        self.typestore = get_typestore(Stores.ROS2_JAZZY)
        for package, folder in message_folders:
            types = {}
            for msg in sorted(folder.glob("*.msg")):
                types.update(get_types_from_msg(msg.read_text(), f"{package}/msg/{msg.stem}"))
            self.typestore.register(types)
        for msgtype, text in (definitions or {}).items():
            self.typestore.register(get_types_from_msg(text, msgtype))
        self._writer = Writer(path, version=METADATA_VERSION,
                              storage_plugin=StoragePlugin.MCAP)
        try:
            self._writer.open()
        except OSError as error:
            raise BagError(f"cannot write {path}: {error.strerror}") from None
        self._connections: dict[str, Connection] = {}
        self.counts: dict[str, int] = {}
        self.path = path

    def rihs01(self, msgtype: str) -> str:
        """The RIHS01 type hash rosbags computes for `msgtype`."""
        return self.typestore.hash_rihs01(msgtype)

    def add_topic(self, topic: str, msgtype: str, offered: Qos, rihs01: str | None = None
                  ) -> None:
        """Announce a topic (once); `rihs01` is the hash its publishers give, if known."""
        if topic in self._connections:
            return
        self._connections[topic] = self._writer.add_connection(
            topic, msgtype, typestore=self.typestore, rihs01=rihs01 or self.rihs01(msgtype),
            offered_qos_profiles=[offered])
        self.counts[topic] = 0

    def write(self, topic: str, stamp_ns: int, data: bytes) -> None:
        """One serialized message of an added topic, at `stamp_ns` (receive time)."""
        self._writer.write(self._connections[topic], stamp_ns, data)
        self.counts[topic] += 1

    def flush(self) -> None:
        """Put what is buffered on disk as a complete chunk."""
        storage = self._writer.storage
        if storage.chunk.bio.tell():
            storage.close_chunk()
        storage.bio.flush()

    def close(self) -> None:
        """Write the summary and metadata.yaml."""
        self._writer.close()
