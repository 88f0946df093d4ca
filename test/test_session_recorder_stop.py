"""A session_recorder that stops writes what DDS had delivered to it but its executor had not
yet taken: a recorder behind a busy session lost the last rep the console had shown."""

from __future__ import annotations

import time

import rclpy
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.serialization import deserialize_message
from rosbags.rosbag2 import Reader

from helpers.sample_messages import rep_summary
from squat_bringup.recorder_node import SessionRecorder
from squat_msgs.msg import RepSummary


def test_what_came_but_was_not_taken_is_in_the_bag_after_the_stop(listen, tmp_path):
    bag = tmp_path / "session"
    rclpy.init(args=["--ros-args", "-p", f"bag_path:={bag}"])
    try:
        # Never spun: every message it gets waits in its subscriptions' queues, as behind a
        # recorder busy writing camera frames.
        recorder = SessionRecorder()
        publisher_side = listen([])
        reps = publisher_side.node.create_publisher(RepSummary, "/squat/rep", QoSProfile(
            depth=20, reliability=ReliabilityPolicy.RELIABLE,
            durability=DurabilityPolicy.TRANSIENT_LOCAL))
        deadline = time.monotonic() + 30
        while reps.get_subscription_count() == 0:
            assert time.monotonic() < deadline, "session_recorder did not subscribe"
            publisher_side.spin(0.1)
        for index in range(1, 6):
            message = rep_summary()
            message.rep_index = index
            reps.publish(message)
        publisher_side.spin(1.0)
        # As a SIGINT stops it: the context shut down first, then the node destroyed.
        rclpy.shutdown()
        recorder.destroy_node()
    finally:
        rclpy.try_shutdown()

    with Reader(bag) as reader:
        written = [deserialize_message(data, RepSummary).rep_index
                   for _, _, data in reader.messages(
                       [c for c in reader.connections if c.topic == "/squat/rep"])]
    assert written == [1, 2, 3, 4, 5]
