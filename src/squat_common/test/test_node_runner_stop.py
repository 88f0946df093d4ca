"""A node run by run_node stops cleanly on SIGINT or SIGTERM whatever it is doing.

The stop lands at a random moment while the node takes a stream of keypoint messages (the
pose node's busiest kind): before the fix about half of such stops ended in a traceback,
KeyboardInterrupt raised inside rclpy's message conversion.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time

import pytest
import rclpy
from geometry_msgs.msg import Point
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from squat_common.node_runner import join_within, spin_until_shutdown
from squat_msgs.msg import Keypoint, PoseKeypoints

NODE = '''
import sys
from rclpy.node import Node
from squat_common.node_runner import run_node
from squat_msgs.msg import PoseKeypoints


class Listener(Node):
    def __init__(self):
        super().__init__("stop_listener")
        self.create_subscription(PoseKeypoints, "stop_test_keypoints", lambda _: None, 10)
        print("listening", flush=True)


sys.exit(run_node(Listener, "stop_listener"))
'''


@pytest.fixture
def keypoint_stream():
    context = rclpy.Context()
    rclpy.init(context=context)
    node = rclpy.create_node("stop_test_talker", context=context)
    publisher = node.create_publisher(PoseKeypoints, "stop_test_keypoints", 10)
    message = PoseKeypoints(keypoints=[Keypoint(name=f"k{i}") for i in range(33)],
                            world_points=[Point() for _ in range(33)])
    stop = threading.Event()

    def publish() -> None:
        while not stop.is_set():
            publisher.publish(message)

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=5)
    node.destroy_node()
    rclpy.try_shutdown(context=context)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_at_any_moment_is_clean(keypoint_stream, signum):
    rng = random.Random(signum)
    for _ in range(5):
        node = subprocess.Popen([sys.executable, "-c", NODE], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            assert node.stdout.readline() == "listening\n", node.stderr.read()
            time.sleep(0.3 + rng.random())
            node.send_signal(signum)
            _, err = node.communicate(timeout=30)
        finally:
            if node.poll() is None:
                node.kill()
        assert node.returncode == 0 and "Traceback" not in err, err[-2000:]


def test_a_context_shut_down_without_waking_the_executor_still_ends_the_spin():
    """rclpy's signal thread wakes the executor, then shuts the context down natively, which
    calls no on_shutdown callback: a wait that woke in between waits again with nothing left to
    wake it. Here the shutdown comes that way with no wake at all, to a node with no timer (a
    sim-time node once its bag has ended): rclpy.spin never returned."""
    context = rclpy.Context()
    rclpy.init(context=context, signal_handler_options=SignalHandlerOptions.NO)
    node = Node("idle_until_shutdown", context=context)
    spinning = threading.Thread(target=spin_until_shutdown, args=(node,), daemon=True)
    try:
        spinning.start()
        time.sleep(0.5)
        assert spinning.is_alive()
        with context.handle:
            context.handle.shutdown()  # what rclpy's signal thread calls
        spinning.join(timeout=30)
        assert not spinning.is_alive(), "the spin went on after its context was shut down"
    finally:
        node.destroy_node()
        rclpy.try_shutdown(context=context)


def test_a_stopping_node_waits_for_all_its_busy_threads_within_one_budget():
    # Waited for in turn, three busy threads once took three budgets: past the 5 s after
    # which coach run kills a node (a session ending with exit 137).
    release = threading.Event()
    busy = [threading.Thread(target=release.wait, daemon=True) for _ in range(3)]
    for thread in busy:
        thread.start()
    started = time.monotonic()
    join_within(busy, 0.6)
    waited = time.monotonic() - started
    still_busy = [thread.is_alive() for thread in busy]
    release.set()
    assert still_busy == [True] * 3
    assert 0.6 <= waited < 1.2, waited
    # Threads that end within the budget are waited for.
    ending = [threading.Thread(target=time.sleep, args=(0.2,)) for _ in range(3)]
    for thread in ending:
        thread.start()
    join_within(ending, 0.6)
    assert not any(thread.is_alive() for thread in ending)
