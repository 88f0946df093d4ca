"""How every squat coach node starts and stops: init, spin one executor, shut down."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable

import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy
from rclpy.node import Node


class NodeConfigurationError(ValueError):
    """A node refused its configuration; the message says which value and why."""


def run_node(create: Callable[[], Node], name: str, args: list[str] | None = None) -> int:
    """Create a node and spin it until shutdown; 1, with the reason logged, if it cannot start.

    rclpy 7.1 (Jazzy) has no context-manager form of init(), hence the try/finally. One
    SingleThreadedExecutor per process (rclpy.spin's): its MultiThreadedExecutor can lock up
    (rclpy #1223, #1452), so slow work runs on the nodes' own worker threads.

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
            rclpy.spin(node)
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


def _leave_to_rclpy(signum: int, frame: object) -> None:
    """rclpy's handler, installed by init() in front of this one, has already acted."""
