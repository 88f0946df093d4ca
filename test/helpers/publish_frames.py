"""Child process: a free-running 30 fps camera stand-in publishing small stamped Images.

Usage: python -m helpers.publish_frames TOPIC PHASE_MS COUNT START_EPOCH_S
Frames are published on the wall-clock grid of 30 fps shifted by PHASE_MS, from the first tick
after START_EPOCH_S, so two processes given one start and different phases behave like two
unsynchronised cameras switched on together. Each frame is stamped with its tick, as a camera
stamps the instant its sensor captured the frame; when it is published jitters with the load of
the machine, as delivery does. Publishes COUNT frames and exits.
"""

from __future__ import annotations

import math
import sys
import time

import rclpy
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image

from squat_common.stamps import time_from_s

PERIOD_S = 1 / 30


def main() -> None:
    topic, phase_s, count = sys.argv[1], float(sys.argv[2]) / 1000, int(sys.argv[3])
    start_s = float(sys.argv[4])
    rclpy.init()
    try:
        node = rclpy.create_node("frame_publisher")
        publisher = node.create_publisher(Image, topic, qos_profile_sensor_data)
        while publisher.get_subscription_count() == 0 and time.time() < start_s:
            time.sleep(0.05)
        image = Image(height=8, width=8, encoding="mono8", step=8, data=bytes(64))
        image.header.frame_id = f"{topic.split('/')[0]}_optical_frame"
        tick = (math.floor((start_s - phase_s) / PERIOD_S) + 1) * PERIOD_S + phase_s
        for _ in range(count):
            time.sleep(max(0.0, tick - time.time()))
            image.header.stamp = time_from_s(tick)
            publisher.publish(image)
            tick += PERIOD_S
        time.sleep(0.5)
    finally:
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
