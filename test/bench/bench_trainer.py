"""Benchmark: the trainer view under a live session's load, offscreen: two 640x480 overlay
streams at 30 Hz and states at 30 Hz from another node for --seconds (default 60). Prints the
event-loop lag (how late a 10 ms timer fires: what a trainer feels as a frozen window) p50 /
p99 / max, and the view's refresh cost, against the same loop with nothing published (the
baseline, same process). Prints; asserts nothing.
Usage: source scripts/env.sh; python test/bench/bench_trainer.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from python_qt_binding.QtCore import QTimer
from python_qt_binding.QtWidgets import QApplication
from rclpy.executors import SingleThreadedExecutor
from sensor_msgs.msg import Image
from squat_rqt.trainer_data import TrainerData
from squat_rqt.trainer_model import TrainerModel
from squat_rqt.trainer_widget import TrainerWidget

from helpers.ros_listener import RosListener
from helpers.sample_messages import squat_state
from squat_common.qos import SENSOR_QOS
from squat_msgs.msg import SquatState

TICK_MS = 10


def measure(app: QApplication, widget: TrainerWidget, seconds: float) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """Timer lateness (ms) over `seconds`, and the widget's refresh times (ms)."""
    lags: list[float] = []
    refreshes: list[float] = []
    last = [time.perf_counter()]
    original = widget.refresh

    def timed_refresh() -> None:
        started = time.perf_counter()
        original()
        refreshes.append((time.perf_counter() - started) * 1000)

    widget._timer.timeout.disconnect()
    widget._timer.timeout.connect(timed_refresh)

    def tick() -> None:
        now = time.perf_counter()
        lags.append(max(0.0, (now - last[0]) * 1000 - TICK_MS))
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(TICK_MS)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    widget._timer.timeout.disconnect()
    widget._timer.timeout.connect(original)
    return np.array(lags[1:]), np.array(refreshes)


def publish(stop: threading.Event) -> None:
    sender = RosListener([], "bench_trainer_sender")
    images = {view: sender.node.create_publisher(Image, f"/squat/overlay/{view}", SENSOR_QOS)
              for view in ("front", "side")}
    states = sender.node.create_publisher(SquatState, "/squat/state", 10)
    pixels = np.random.default_rng(0).integers(0, 255, (480, 640, 3), np.uint8).tobytes()
    message = Image(height=480, width=640, encoding="bgr8", step=640 * 3)
    message.data = pixels
    state = squat_state()
    period = 1 / 30
    next_at = time.monotonic()
    while not stop.is_set():
        for publisher in images.values():
            publisher.publish(message)
        states.publish(state)
        next_at += period
        stop.wait(max(0.0, next_at - time.monotonic()))
    sender.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    viewer = RosListener([], "bench_trainer_view")
    executor = SingleThreadedExecutor(context=viewer.context)
    executor.add_node(viewer.node)
    threading.Thread(target=executor.spin, daemon=True).start()
    widget = TrainerWidget(TrainerData(viewer.node, TrainerModel()))
    widget.resize(1280, 900)
    widget.show()
    idle_lags, idle_refresh = measure(app, widget, min(10.0, args.seconds))
    stop = threading.Event()
    sender = threading.Thread(target=publish, args=(stop,), daemon=True)
    sender.start()
    busy_lags, busy_refresh = measure(app, widget, args.seconds)
    stop.set()
    sender.join(timeout=5)
    images = widget.data.image_count
    for name, lags, refresh in (("idle (baseline)", idle_lags, idle_refresh),
                                ("30 Hz x 2 images", busy_lags, busy_refresh)):
        print(f"{name:18s} event-loop lag p50 {np.percentile(lags, 50):5.1f} ms, p99 "
              f"{np.percentile(lags, 99):5.1f} ms, max {lags.max():6.1f} ms; refresh p50 "
              f"{np.percentile(refresh, 50):.2f} ms, max {refresh.max():.1f} ms")
    print(f"images received: {images} in {args.seconds:g} s "
          f"({images / args.seconds / 2:.1f} per camera per s)")
    widget.shutdown()
    executor.shutdown()
    viewer.close()


if __name__ == "__main__":
    main()
