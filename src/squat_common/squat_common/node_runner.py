"""How every squat coach node starts and stops: init, spin one executor, shut down."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable

import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy
from rclpy.node import Node

# How often a spinning node looks whether its context was shut down. rclpy's signal thread
# wakes the executor first and shuts the context down after: a wait that wakes in between sees
# the context still up and waits again, and nothing wakes it once the context is down (its
# on_shutdown callbacks are not called on that path). A node with no wall-clock timer (sim
# time with the bag finished) then never stopped: the replay CI failure of stop 29.
SHUTDOWN_POLL_S = 0.25
# How long a stopping node waits, in all, for the work its threads are doing. ros2 launch and
# `coach run` kill a node that has not stopped within 5 s: waiting for each thread in turn
# (2 s each for feedback_node's three, 5 s for pose_node's one) could pass that.
STOP_WAIT_S = 2.0


class NodeConfigurationError(ValueError):
    """A node refused its configuration; the message says which value and why."""


def run_node(create: Callable[[], Node], name: str, args: list[str] | None = None) -> int:
    """Create a node and spin it until shutdown; 1, with the reason logged, if it cannot start.

    rclpy 7.1 (Jazzy) has no context-manager form of init(), hence the try/finally. One
    SingleThreadedExecutor per process: its MultiThreadedExecutor can lock up (rclpy #1223,
    #1452), so slow work runs on the nodes' own worker threads.

    SIGINT and SIGTERM stop the node only through rclpy's own handlers (which shut the
    context down and wake the executor): Python's KeyboardInterrupt would be raised wherever
    the interpreter happens to be, and inside rclpy's message conversion it comes out as a
    RuntimeError ("Unable to convert call argument '0'") and a traceback on a clean stop.

    A worker thread still busy once the node is destroyed (each node gives its own a few
    seconds) is inside native code that cannot be interrupted: loading Kiwi, running an ONNX
    model. Interpreter finalization would tear those libraries down under it (std::terminate,
    exit -6), so the process then ends at once, its output flushed: the node is destroyed and
    rclpy shut down by then, and the index writes such a thread makes are transactional.
    """
    code = _spin(create, name, args)
    busy = [t.name for t in threading.enumerate()
            if t is not threading.main_thread() and t.is_alive()]
    if busy:
        rclpy.logging.get_logger(name).info(
            f"stopped while busy ({', '.join(busy)}): ending without waiting for it")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def join_within(threads: Iterable[threading.Thread], seconds: float = STOP_WAIT_S) -> None:
    """Join `threads` within `seconds` in all; a thread still busy then is left running (see
    run_node)."""
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0.0))


def _spin(create: Callable[[], Node], name: str, args: list[str] | None) -> int:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _leave_to_rclpy)
    rclpy.init(args=args)
    try:
        try:
            node = create()
        except (ParameterException, NodeConfigurationError) as error:
            rclpy.logging.get_logger(name).fatal(f"not started: {error}")
            return 1
        except Exception:
            if not rclpy.ok():  # stopped while starting: the failure is the stop's
                return 0
            raise
        try:
            spin_until_shutdown(node)
        except _rclpy.RCLError:
            # A stop that lands while the executor builds its wait set fails there.
            if rclpy.ok():
                raise
        finally:
            node.destroy_node()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        rclpy.try_shutdown()
    return 0


def spin_until_shutdown(node: Node) -> None:
    """Spin `node` until its context is shut down, however the shutdown came (see
    SHUTDOWN_POLL_S)."""
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    try:
        while node.context.ok():
            executor.spin_once(timeout_sec=SHUTDOWN_POLL_S)
    finally:
        executor.remove_node(node)
        executor.shutdown()


def _leave_to_rclpy(signum: int, frame: object) -> None:
    """rclpy's handler, installed by init() in front of this one, has already acted."""
