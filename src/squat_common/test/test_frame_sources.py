"""Video file and image folder sources: order, pacing, stamps, loop, a shared start."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import SHARED_DATA, needs_footage
from squat_common.frame_sources import ImageFolderSource, VideoFileSource

START_NS = 1_000_000_000_000


class FakeTime:
    """A clock and sleep that advance together, so pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now_s = 50.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now_s

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now_s += seconds

    def now_ns(self) -> int:
        return START_NS + round((self.now_s - 50.0) * 1e9)


def write_video(path: Path, frames: int, fps: float, size=(64, 48)) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for index in range(frames):
        writer.write(np.full((size[1], size[0], 3), index * 12 % 256, np.uint8))
    writer.release()


def opened_video(path: Path, **options) -> tuple[VideoFileSource, FakeTime]:
    clock = FakeTime()
    source = VideoFileSource(path, clock.now_ns, sleep=clock.sleep, **options)
    source.open()
    return source, clock


def read_all(source) -> list:
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    return frames


def test_video_file_frames_are_stamped_at_their_file_times(tmp_path):
    path = tmp_path / "clip.mp4"
    write_video(path, frames=12, fps=25.0)
    source, clock = opened_video(path)

    frames = read_all(source)

    assert len(frames) == 12
    assert [f.stamp_ns - START_NS for f in frames] == [i * 40_000_000 for i in range(12)]
    assert sum(clock.slept) == pytest.approx(11 * 0.04)
    assert source.nominal_fps == pytest.approx(25.0)


def test_video_file_framerate_overrides_the_pace(tmp_path):
    path = tmp_path / "clip.mp4"
    write_video(path, frames=5, fps=25.0)
    source, _ = opened_video(path, framerate=10.0)
    assert [f.stamp_ns - START_NS for f in read_all(source)] == [i * 100_000_000
                                                                  for i in range(5)]


def test_looping_video_keeps_stamps_increasing(tmp_path):
    path = tmp_path / "clip.mp4"
    write_video(path, frames=4, fps=20.0)
    source, _ = opened_video(path, loop=True)
    stamps = [source.read().stamp_ns - START_NS for _ in range(10)]
    assert stamps == [i * 50_000_000 for i in range(10)]


def test_start_offset_skips_into_the_file(tmp_path):
    path = tmp_path / "clip.mp4"
    write_video(path, frames=20, fps=10.0)
    source, _ = opened_video(path, start_offset_s=1.0)
    frames = read_all(source)
    assert len(frames) == 10
    assert frames[0].stamp_ns == START_NS
    assert int(frames[0].image[0, 0, 0]) == pytest.approx(120, abs=5)  # frame 10, not 9 (108)


def test_folder_plays_images_in_name_order_and_skips_broken_ones(tmp_path):
    for name, level in (("b.png", 20), ("a.png", 10), ("c.png", 30)):
        cv2.imwrite(str(tmp_path / name), np.full((8, 8, 3), level, np.uint8))
    (tmp_path / "b2.jpg").write_bytes(b"not an image")
    (tmp_path / "notes.txt").write_text("ignored")
    clock = FakeTime()
    source = ImageFolderSource(tmp_path, clock.now_ns, framerate=5.0, sleep=clock.sleep)
    source.open()

    frames = read_all(source)

    assert [int(f.image[0, 0, 0]) for f in frames] == [10, 20, 30]
    assert [f.stamp_ns - START_NS for f in frames] == [0, 200_000_000, 600_000_000]
    assert source.decode_failures == 1


@needs_footage
def test_real_footage_every_frame_once_at_its_file_times():
    path = SHARED_DATA / "user" / "user_front.mp4"
    capture = cv2.VideoCapture(str(path))
    file_times_ns = []
    while capture.grab():
        file_times_ns.append(round(capture.get(cv2.CAP_PROP_POS_MSEC) * 1e6))
    source, _ = opened_video(path)

    stamps = [frame.stamp_ns - START_NS for frame in read_all(source)]

    assert len(stamps) == len(file_times_ns) == 208
    assert stamps == file_times_ns


def test_a_shared_start_stamps_alike_and_a_late_source_skips_what_was_due(tmp_path):
    path = tmp_path / "clip.mp4"
    write_video(path, frames=10, fps=10.0)
    start_ns = START_NS + 1_000_000_000  # one second ahead of the clock
    on_time, clock = opened_video(path, start_ns=start_ns)
    stamps = [f.stamp_ns for f in read_all(on_time)]
    assert stamps == [start_ns + i * 100_000_000 for i in range(10)]
    assert sum(clock.slept) == pytest.approx(1.0 + 0.9)

    late = VideoFileSource(path, lambda: start_ns + 450_000_000, start_ns=start_ns,
                           sleep=lambda _: None)
    late.open()
    # Frames more than a period overdue are gone, as a live camera shows no past; the rest
    # carry the stamps the on-time source gave them.
    assert [f.stamp_ns for f in read_all(late)] == stamps[4:]
