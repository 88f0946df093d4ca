"""Two-stream pairing scenarios shared by the synchroniser tests: frames, streams, a runner."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from builtin_interfaces.msg import Time
from std_msgs.msg import Header

PERIOD_NS = round(1e9 / 30)
SLOP_S = 0.5 / 30
SLOP_NS = int(SLOP_S * 1e9)
MS = 1_000_000


@dataclass(eq=False)
class Frame:
    topic: int
    index: int
    stamp_ns: int
    arrival_ns: int
    header: Header = field(init=False)

    def __post_init__(self) -> None:
        self.header = Header(stamp=Time(sec=self.stamp_ns // 10**9,
                                        nanosec=self.stamp_ns % 10**9))


def stream(topic: int, count: int, period_ns: int = PERIOD_NS, offset_ns: int = 0,
           latency_ns: int = 2 * MS, jitter_ns: int = 0, skip: frozenset = frozenset(),
           seed: int = 0) -> list[Frame]:
    rng = random.Random(seed)
    frames = []
    for index in range(count):
        stamp = offset_ns + round(index * period_ns) + rng.randint(-jitter_ns, jitter_ns)
        if index not in skip:
            frames.append(Frame(topic, index, stamp, stamp + latency_ns))
    return frames


def run(module, frames: list[Frame], queue_size: int = 10):
    """Deliver `frames` in arrival order; return the emitted (front, side) index pairs."""
    inputs = [module.SimpleFilter(), module.SimpleFilter()]
    synchronizer = module.ApproximateTimeSynchronizer(inputs, queue_size, SLOP_S)
    emitted = []
    synchronizer.registerCallback(lambda front, side: emitted.append((front.index, side.index)))
    for frame in sorted(frames, key=lambda f: (f.arrival_ns, f.topic)):
        inputs[frame.topic].signalMessage(frame)
    return emitted
