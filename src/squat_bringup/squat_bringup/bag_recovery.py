"""A session bag whose recorder was killed (SIGKILL, a crash, the power) made a bag again:
`coach bag reindex DIR`, as `ros2 bag reindex` does for rosbag2's own recorder.

Such a bag folder holds its MCAP file without summary or footer, and no metadata.yaml. Every
chunk that reached the disk whole (the recorder flushes one a second) is read back with the
`mcap` library and written into a new bag in the same folder; the unclosed file stays beside
it as `<name>.mcap.unclosed`, so nothing is lost even if the recovery is wrong. Imports no
rclpy.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from mcap.exceptions import McapError
from mcap.records import Channel, Chunk, Message, Schema
from mcap.stream_reader import StreamReader, breakup_chunk

from squat_bringup.bag_writer import BagError, BagWriter, qos
from squat_bringup.session_topics import LATCHED, SENSOR, SESSION_TOPICS
from squat_common.bag_reading import is_bag

UNCLOSED_SUFFIX = ".unclosed"


@dataclass(frozen=True)
class Recovered:
    """What a recovery wrote: messages per topic, and where the unclosed file was kept."""

    counts: dict[str, int]
    kept: Path


def unclosed_file(path: Path) -> Path | None:
    """The MCAP file of a bag folder that was never closed (no metadata.yaml), if it is one."""
    if not path.is_dir() or is_bag(path):
        return None
    found = sorted(path.glob("*.mcap"))
    return found[0] if len(found) == 1 else None


def _whole_records(file: Path) -> list[Schema | Channel | Message]:
    """The schemas, channels and messages of every chunk of `file` that is whole on disk."""
    found: list[Schema | Channel | Message] = []
    with file.open("rb") as stream:
        reader = StreamReader(stream, emit_chunks=True)
        try:
            for record in reader.records:
                if isinstance(record, Chunk):
                    # A chunk cut short by the kill ends the readable part.
                    if record.compression == "" and len(record.data) != record.uncompressed_size:
                        break
                    found.extend(r for r in breakup_chunk(record, validate_crc=True)
                                 if isinstance(r, Schema | Channel | Message))
                elif isinstance(record, Schema | Channel | Message):
                    found.append(record)
        except (McapError, EOFError, ValueError, IndexError, UnicodeDecodeError):
            # McapError: the file ends inside a record; the others: the last record is torn.
            pass
    return found


def reindex(path: Path) -> Recovered:
    """Make the unclosed bag at `path` a bag again; BagError says why it cannot."""
    file = unclosed_file(path)
    if file is None:
        raise BagError(f"{path} is a closed bag: nothing to recover" if is_bag(path)
                       else f"{path} holds no unclosed bag (one .mcap file, no metadata.yaml)")
    records = _whole_records(file)
    schemas = {r.id: r for r in records if isinstance(r, Schema)}
    channels = {r.id: r for r in records if isinstance(r, Channel) and r.schema_id in schemas}
    messages = [r for r in records if isinstance(r, Message) and r.channel_id in channels]
    if not channels:
        raise BagError(f"{file} holds nothing readable: no topic reached the disk")
    kinds = {t.name: t.qos for t in SESSION_TOPICS}
    kept = file.with_name(file.name + UNCLOSED_SUFFIX)
    aside = path.with_name(path.name + UNCLOSED_SUFFIX)
    if aside.exists():
        raise BagError(f"{aside} is in the way: move it, then recover again")
    path.rename(aside)
    try:
        writer = BagWriter(path, definitions={
            s.name: s.data.decode() for s in schemas.values() if s.encoding == "ros2msg"})
        for channel in channels.values():
            kind = kinds.get(channel.topic, "reliable")
            writer.add_topic(channel.topic, schemas[channel.schema_id].name,
                             qos(kind != SENSOR, kind == LATCHED))
        for message in messages:
            writer.write(channels[message.channel_id].topic, message.log_time, message.data)
        writer.close()
    except BaseException as error:
        shutil.rmtree(path, ignore_errors=True)
        aside.rename(path)
        if isinstance(error, OSError):
            raise BagError(f"cannot write the recovered bag into {path}: "
                           f"{error.strerror or error} (nothing was changed)") from None
        raise
    for left in aside.iterdir():
        left.rename(kept if left.name == file.name else path / left.name)
    aside.rmdir()
    return Recovered(dict(writer.counts), kept)
