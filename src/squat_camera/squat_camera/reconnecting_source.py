"""A source that survives its device disappearing: warn once, retry with backoff, resume."""

from __future__ import annotations

import threading
from collections.abc import Callable

from squat_common.frame_sources import (
    CameraPose,
    CapturedFrame,
    FrameSource,
    Intrinsics,
    SourceError,
)


class ReconnectingSource:
    """Wraps a device source; a failed read closes it and reopens it until it works again."""

    def __init__(self, source: FrameSource, warn: Callable[[str], None],
                 info: Callable[[str], None], stop: threading.Event,
                 first_delay_s: float = 0.5, max_delay_s: float = 5.0) -> None:
        self._source = source
        self._warn, self._info, self._stop = warn, info, stop
        self._first_delay_s, self._max_delay_s = first_delay_s, max_delay_s
        self.description = source.description
        self.reconnects = 0

    @property
    def decode_failures(self) -> int:
        return self._source.decode_failures

    @property
    def nominal_fps(self) -> float:
        return self._source.nominal_fps

    @property
    def intrinsics(self) -> Intrinsics | None:
        return self._source.intrinsics

    @property
    def pose(self) -> CameraPose | None:
        return self._source.pose

    def open(self) -> None:
        self._source.open()

    def read(self) -> CapturedFrame | None:
        try:
            return self._source.read()
        except SourceError as error:
            self._warn(f"{error}; retrying until it is back")
        self._source.close()
        delay, attempts = self._first_delay_s, 0
        while not self._stop.wait(delay):
            attempts += 1
            try:
                self._source.open()
                frame = self._source.read()
            except SourceError:
                self._source.close()
                delay = min(delay * 2, self._max_delay_s)
                continue
            self.reconnects += 1
            self._info(f"{self.description} is back after {attempts} attempt(s)")
            return frame
        return None

    def close(self) -> None:
        self._source.close()
