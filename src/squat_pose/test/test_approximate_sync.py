"""squat_pose's own pairing guarantees beyond message_filters, and its properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from squat_pose import approximate_sync
from squat_pose.approximate_sync import (
    ApproximateTimeSynchronizer,
    SimpleFilter,
    header_stamp_ns,
)
from sync_streams import MS, SLOP_NS, SLOP_S, Frame, run, stream


def test_a_late_frame_older_than_the_last_pair_is_dropped():
    # front 10, front 11, side 11 (pairs 11/11), then side 10 arrives late. The Python
    # message_filters would still pair it with front 10, emitting out of stamp order; here
    # front 10 left with the pair and side 10 is dropped.
    front = stream(0, 12)
    side = stream(1, 12, offset_ns=5 * MS, latency_ns=40 * MS)
    side[10].arrival_ns = side[11].arrival_ns + 1
    frames = front + side
    assert run(approximate_sync, frames) == [(k, k) for k in range(10)] + [(11, 11)]


def test_late_drops_are_counted():
    inputs = [SimpleFilter(), SimpleFilter()]
    synchronizer = ApproximateTimeSynchronizer(inputs, 10, SLOP_S)
    for frame in (Frame(0, 1, 100 * MS, 0), Frame(1, 1, 101 * MS, 0), Frame(1, 0, 90 * MS, 0)):
        inputs[frame.topic].signalMessage(frame)
    assert synchronizer.late_dropped == 1


def test_an_equal_stamp_replaces_the_queued_frame():
    inputs = [SimpleFilter(), SimpleFilter()]
    synchronizer = ApproximateTimeSynchronizer(inputs, 10, SLOP_S)
    emitted = []
    synchronizer.registerCallback(lambda front, side: emitted.append((front, side)))
    first, second, side = Frame(0, 1, 100 * MS, 0), Frame(0, 2, 100 * MS, 0), Frame(1, 3, 0, 0)
    side.header.stamp.nanosec = 101 * MS
    for frame in (first, second, side):
        inputs[frame.topic].signalMessage(frame)
    assert emitted == [(second, side)]


def test_three_inputs_emit_when_all_are_within_slop():
    inputs = [SimpleFilter(), SimpleFilter(), SimpleFilter()]
    synchronizer = ApproximateTimeSynchronizer(inputs, 10, SLOP_S)
    emitted = []
    synchronizer.registerCallback(lambda *frames: emitted.append([f.index for f in frames]))
    for topic, index, stamp in ((0, 0, 0), (1, 1, 10), (2, 2, 30), (2, 3, 12)):
        inputs[topic].signalMessage(Frame(topic, index, stamp * MS, 0))
    assert emitted == [[0, 1, 3]]


def test_registered_arguments_follow_the_messages():
    inputs = [SimpleFilter(), SimpleFilter()]
    synchronizer = ApproximateTimeSynchronizer(inputs, 10, SLOP_S)
    seen = []
    synchronizer.registerCallback(lambda a, b, tag: seen.append((a.index, b.index, tag)), "x")
    inputs[0].signalMessage(Frame(0, 4, 0, 0))
    inputs[1].signalMessage(Frame(1, 5, 1 * MS, 0))
    assert seen == [(4, 5, "x")]


def test_stamp_from_header_and_from_rclpy_style_time():
    assert header_stamp_ns(Frame(0, 0, 3_000_000_007, 0)) == 3_000_000_007

    class RclpyTime:
        nanoseconds = 42

    class Message:
        class header:
            stamp = RclpyTime()

    assert header_stamp_ns(Message()) == 42
    assert header_stamp_ns(object()) is None


@pytest.mark.parametrize("queue_size, slop", [(0, 0.01), (10, -0.1)])
def test_bad_configuration_is_refused(queue_size, slop):
    with pytest.raises(ValueError):
        ApproximateTimeSynchronizer([SimpleFilter(), SimpleFilter()], queue_size, slop)


arrivals = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 3000)),  # (input, stamp in ms)
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(arrivals, st.integers(1, 12))
def test_properties_on_random_streams(sequence, queue_size):
    inputs = [SimpleFilter(), SimpleFilter()]
    synchronizer = ApproximateTimeSynchronizer(inputs, queue_size, SLOP_S)
    emitted = []
    synchronizer.registerCallback(lambda front, side: emitted.append((front, side)))
    for order, (topic, stamp_ms) in enumerate(sequence):
        inputs[topic].signalMessage(Frame(topic, order, stamp_ms * MS, order))

    for front, side in emitted:
        assert abs(front.stamp_ns - side.stamp_ns) < SLOP_NS
    messages = [frame for pair in emitted for frame in pair]
    assert len({id(frame) for frame in messages}) == len(messages)
    for topic in (0, 1):
        stamps = [pair[topic].stamp_ns for pair in emitted]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
