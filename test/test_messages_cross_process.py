"""squat_msgs messages published by one OS process arrive intact in another (rclpy, Fast DDS)."""

from __future__ import annotations

import time

import pytest
import rclpy
from rclpy.executors import SingleThreadedExecutor

from helpers.sample_messages import SAMPLES, differences


def receive_one(message_type, topic: str, timeout_s: float):
    context = rclpy.Context()
    rclpy.init(context=context)
    try:
        node = rclpy.create_node("sample_receiver", context=context)
        received = []
        node.create_subscription(message_type, topic, received.append, 10)
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        deadline = time.monotonic() + timeout_s
        while not received and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.1)
        executor.shutdown()
        return received[0] if received else None
    finally:
        rclpy.shutdown(context=context)


@pytest.mark.parametrize("kind", ["pose_keypoints", "squat_state", "rep_summary"])
def test_message_crosses_processes_with_every_field_intact(kind, spawn_helper):
    message_type, build = SAMPLES[kind]
    topic = f"test_{kind}"
    publisher = spawn_helper("publish_samples", kind, topic)

    received = receive_one(message_type, topic, timeout_s=20.0)

    assert publisher.poll() is None, publisher.stdout.read()
    assert received is not None, f"no {message_type.__name__} arrived from the other process"
    assert differences(build(), received) == []


def test_differences_reports_a_changed_nested_field():
    _, build = SAMPLES["squat_state"]
    sent, changed = build(), build()
    changed.side.keypoints[25].visibility = 0.25

    assert differences(sent, changed) == [
        "msg.side.keypoints[25].visibility: sent 0.609375, received 0.25"
    ]
