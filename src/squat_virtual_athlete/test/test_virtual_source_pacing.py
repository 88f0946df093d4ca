"""Virtual cameras on a busy machine: starved alike, they still stamp common instants."""

from __future__ import annotations

import time
from itertools import pairwise

from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.spec import AthleteSpec
from squat_virtual_athlete.virtual_source import MAX_STRIDE, VirtualAthleteSource, VirtualRig

PERIOD_NS = round(1e9 / 30)


class SlowedClock:
    """Time as a machine `factor` times slower than this one sees it: the real rendering
    then takes `factor` times longer, measured by the source's own clock."""

    def __init__(self, factor: float) -> None:
        self.factor = factor
        self._origin = time.monotonic_ns()
        self._offset_ns = 0

    def now_ns(self) -> int:
        return 10**18 + round((time.monotonic_ns() - self._origin) * self.factor) + self._offset_ns

    def sleep(self, seconds: float) -> None:
        self._offset_ns += round(seconds * 1e9)


def stamps(view: str, clock: SlowedClock, frames: int) -> list[int]:
    rig = VirtualRig(VirtualCamera.default(view), fps=30.0, start_ns=10**18, loop=True,
                     noise_sigma=0.0)
    source = VirtualAthleteSource(AthleteSpec(), rig, clock.now_ns, clock.sleep)
    source.open()
    return [source.read().stamp_ns for _ in range(frames)]


def test_a_camera_that_keeps_up_renders_every_grid_point():
    # Rendering (~20 ms here) at a hundredth of its cost: far inside a 33 ms period.
    clock = SlowedClock(0.01)
    got = stamps("front", clock, 12)
    assert [b - a for a, b in pairwise(got)] == [PERIOD_NS] * 11


def test_two_starved_cameras_fall_back_to_the_same_coarse_grid():
    # Each frame costs several periods on this clock: a camera taking whichever grid point
    # comes next would stamp instants the other camera skipped.
    # Unequally starved, as two processes on one busy machine are.
    front = stamps("front", SlowedClock(30.0), 10)[4:]
    side = stamps("side", SlowedClock(20.0), 10)[4:]
    coarse = MAX_STRIDE * PERIOD_NS
    assert all((stamp - 10**18) % coarse == 0 for stamp in front + side), (front, side)
