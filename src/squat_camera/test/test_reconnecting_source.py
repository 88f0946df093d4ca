"""Device loss: a source standing in for a V4L2 device fails, and the node's source recovers.

A V4L2 device cannot exist on these machines, so the stand-in below plays the device through
the same source interface: it delivers frames, then fails reads and reopens, then recovers.
"""

from __future__ import annotations

import threading

import numpy as np

from squat_camera.reconnecting_source import ReconnectingSource
from squat_common.frame_sources import CapturedFrame, SourceError


class DeviceStandIn:
    """Delivers 3 frames, then is unplugged for `outage_opens` reopen attempts, then returns."""

    description = "V4L2 device stand-in"
    nominal_fps = 30.0

    def __init__(self, outage_opens: int) -> None:
        self.decode_failures = 0
        self.frames = 0
        self.unplugged = False
        self.outage_opens = outage_opens
        self.opens = 0
        self.closes = 0

    def open(self) -> None:
        self.opens += 1
        if self.unplugged:
            if self.outage_opens > 0:
                self.outage_opens -= 1
                raise SourceError("cannot open /dev/video9: no V4L2 device answers there")
            self.unplugged = False

    def read(self) -> CapturedFrame:
        if self.unplugged or self.frames == 3:
            self.unplugged = True
            self.frames += 1
            raise SourceError("/dev/video9 stopped delivering frames")
        self.frames += 1
        return CapturedFrame(np.zeros((2, 2, 3), np.uint8), self.frames)

    def close(self) -> None:
        self.closes += 1


class RecordingStop(threading.Event):
    """A stop event whose waits return at once and are recorded, so backoff is seen."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return self.is_set()


def test_device_standin_lost_warns_once_backs_off_and_resumes():
    device = DeviceStandIn(outage_opens=4)
    warnings, infos, stop = [], [], RecordingStop()
    source = ReconnectingSource(device, warnings.append, infos.append, stop)
    source.open()

    stamps = [source.read().stamp_ns for _ in range(5)]

    assert stamps[:3] == [1, 2, 3]
    assert stamps[3:] == [5, 6]  # read 4 failed; the next frame after reopening comes back
    assert warnings == ["/dev/video9 stopped delivering frames; retrying until it is back"]
    assert stop.waits == [0.5, 1.0, 2.0, 4.0, 5.0]
    assert infos == ["V4L2 device stand-in is back after 5 attempt(s)"]
    assert source.reconnects == 1


def test_stopping_during_an_outage_ends_reading():
    device = DeviceStandIn(outage_opens=1000)
    stop = RecordingStop()
    source = ReconnectingSource(device, lambda _: None, lambda _: None, stop)
    source.open()
    for _ in range(3):
        source.read()
    stop.set()
    assert source.read() is None
