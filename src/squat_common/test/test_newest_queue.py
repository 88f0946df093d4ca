"""NewestQueue: the newest items in order, the oldest dropped and counted when full."""

from __future__ import annotations

import threading

import pytest

from squat_common.newest_queue import NewestQueue


def test_newest_queue_keeps_the_newest_in_order_and_counts_the_dropped():
    box = NewestQueue(capacity=3)
    for item in range(5):
        box.put(item)
    assert [box.take(), box.take(), box.take()] == [2, 3, 4]
    assert box.dropped == 2
    assert box.take(timeout_s=0.01) is None


def test_newest_queue_absorbs_a_stall_shorter_than_its_capacity():
    box = NewestQueue(capacity=2)
    box.put("a")
    box.put("b")
    assert box.take() == "a"
    box.put("c")
    assert [box.take(), box.take()] == ["b", "c"]
    assert box.dropped == 0


def test_newest_queue_refuses_no_capacity():
    with pytest.raises(ValueError, match="at least 1"):
        NewestQueue(capacity=0)


def test_newest_queue_close_wakes_the_worker():
    box = NewestQueue(capacity=1)
    threading.Timer(0.05, box.close).start()
    assert box.take(timeout_s=5.0) is None
    assert box.closed
