"""Conformance of the approximate-time pairing: exact expected pairs, derived by hand.

Each case builds two 30 fps streams (front = input 0, side = input 1), delivers their frames in
arrival order (capture stamp + transport latency), and compares the emitted (front, side) frame
indices with pairs worked out from the documented behaviour. In every case here a frame has at
most one partner within the slop (half a frame period), so the expected pairs follow from
stamps alone. Runs against squat_pose's implementation always, and against ROS 2's
message_filters wherever it is importable, so a ROS machine shows the two agree.
"""

from __future__ import annotations

import pytest

from squat_pose import approximate_sync
from squat_pose.sync_seam import message_filters_module
from sync_streams import MS, PERIOD_NS, SLOP_NS, SLOP_S, run, stream


def implementations():
    found = [pytest.param(approximate_sync, id="squat_pose")]
    message_filters = message_filters_module()
    if message_filters is not None:
        found.append(pytest.param(message_filters, id="message_filters"))
    return found


def same_index_pairs(indices) -> list[tuple[int, int]]:
    return [(k, k) for k in indices]


@pytest.fixture(params=implementations())
def module(request):
    return request.param


def test_equal_rates(module):
    frames = stream(0, 300) + stream(1, 300, offset_ns=5 * MS)
    assert run(module, frames) == same_index_pairs(range(300))


def test_drift_30_vs_29_97_fps_over_60_s(module):
    front = stream(0, 1800)
    side = stream(1, 1799, period_ns=round(1e9 / 29.97))
    # Side frame j pairs with the front frame nearest in time, when that is within the slop;
    # the streams slip apart by 1 ms a second (60 ms, nearly two periods, in a minute), so pairs
    # fail while the offset is near half a period and resume one index further apart.
    expected = []
    for frame in side:
        k = round(frame.stamp_ns / PERIOD_NS)
        if k < 1800 and abs(front[k].stamp_ns - frame.stamp_ns) < SLOP_NS:
            expected.append((k, frame.index))
    assert len({k for k, _ in expected}) == len(expected)
    assert expected[0] == (0, 0) and expected[-1][0] - expected[-1][1] == 2

    assert run(module, front + side) == expected


def test_jitter_of_8_ms(module):
    frames = stream(0, 600, jitter_ns=8 * MS, seed=1) + stream(1, 600, jitter_ns=8 * MS, seed=2)
    # |Δt| ≤ 16 ms < slop for each true partner; the next frame is ≥ 17.3 ms away.
    assert run(module, frames) == same_index_pairs(range(600))


def test_one_stream_drops_every_7th_frame(module):
    dropped = frozenset(range(6, 300, 7))
    frames = stream(0, 300) + stream(1, 300, offset_ns=3 * MS, skip=dropped)
    assert run(module, frames) == same_index_pairs(k for k in range(300) if k not in dropped)


def test_burst_longer_than_the_queue(module):
    front = stream(0, 60)
    side = stream(1, 60, offset_ns=4 * MS)
    # Side frames 20..34 are held up and delivered together right after front frame 34. The
    # front queue (10) keeps only 25..34 by then, so side frames 20..24 find no partner.
    for order, frame in enumerate(side[20:35]):
        frame.arrival_ns = front[34].arrival_ns + order + 1
    expected = same_index_pairs(k for k in range(60) if not 20 <= k <= 24)
    assert run(module, front + side) == expected


def test_stalled_camera_resumes(module):
    stalled = frozenset(range(60, 120))
    frames = stream(0, 200) + stream(1, 200, offset_ns=-6 * MS, skip=stalled)
    assert run(module, frames) == same_index_pairs(k for k in range(200) if k not in stalled)


def test_out_of_order_arrival_within_the_queue(module):
    front = stream(0, 60, latency_ns=12 * MS)
    side = stream(1, 60, offset_ns=5 * MS, latency_ns=2 * MS)
    # Side frames k+1 arrive just before side frame k, both before front frame k+1:
    # front k, side k+1, side k, front k+1.
    for k in (10, 40):
        side[k].arrival_ns = side[k + 1].arrival_ns + 1
    assert run(module, front + side) == same_index_pairs(range(60))


def test_headerless_messages_are_ignored(module):
    inputs = [module.SimpleFilter(), module.SimpleFilter()]
    synchronizer = module.ApproximateTimeSynchronizer(inputs, 10, SLOP_S)
    emitted = []
    synchronizer.registerCallback(lambda *pair: emitted.append(pair))
    inputs[0].signalMessage(object())
    inputs[1].signalMessage(object())
    assert emitted == []
