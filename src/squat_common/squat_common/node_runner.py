"""How every squat coach node starts and stops: init, spin one executor, shut down."""

from __future__ import annotations

from collections.abc import Callable

import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node


class NodeConfigurationError(ValueError):
    """A node refused its configuration; the message says which value and why."""


def run_node(create: Callable[[], Node], name: str, args: list[str] | None = None) -> int:
    """Create a node and spin it until shutdown; 1, with the reason logged, if it cannot start.

    rclpy 7.1 (Jazzy) has no context-manager form of init(), hence the try/finally. One
    SingleThreadedExecutor per process (rclpy.spin's): its MultiThreadedExecutor can lock up
    (rclpy #1223, #1452), so slow work runs on the nodes' own worker threads.
    """
    rclpy.init(args=args)
    try:
        try:
            node = create()
        except (ParameterException, NodeConfigurationError) as error:
            rclpy.logging.get_logger(name).fatal(f"not started: {error}")
            return 1
        try:
            rclpy.spin(node)
        finally:
            node.destroy_node()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        rclpy.try_shutdown()
    return 0
