"""What every squat coach node does the same way: parameter descriptors and its main()."""

from __future__ import annotations

from collections.abc import Callable

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile

# QoS of squat/rep: reps are few and each matters, so the last ones are kept for late joiners
# (feedback_node while its index builds, rqt, a recorder started late). Publishers and
# subscribers of RepSummary use this profile.
REP_QOS = QoSProfile(depth=20, durability=DurabilityPolicy.TRANSIENT_LOCAL)


def float_range(description: str, low: float, high: float) -> ParameterDescriptor:
    """A descriptor for a floating-point parameter limited to [low, high]."""
    return ParameterDescriptor(
        description=description,
        floating_point_range=[FloatingPointRange(from_value=low, to_value=high)])


def integer_range(description: str, low: int, high: int) -> ParameterDescriptor:
    """A descriptor for an integer parameter limited to [low, high]."""
    return ParameterDescriptor(
        description=description, integer_range=[IntegerRange(from_value=low, to_value=high)])


def described(description: str) -> ParameterDescriptor:
    """A descriptor with a description only (strings, booleans)."""
    return ParameterDescriptor(description=description)


def diagnostics(node: Node, name: str, level: int, message: str, values: dict[str, str],
                hardware_id: str = "") -> DiagnosticArray:
    """A DiagnosticArray with one status of `node`, stamped now on its clock."""
    status = DiagnosticStatus(level=level, name=f"{node.get_name()}: {name}", message=message,
                              hardware_id=hardware_id)
    status.values = [KeyValue(key=key, value=value) for key, value in values.items()]
    array = DiagnosticArray(status=[status])
    array.header.stamp = node.get_clock().now().to_msg()
    return array


class NodeConfigurationError(ValueError):
    """A node refused its configuration; the message says which value and why."""


def run_node(create: Callable[[], Node], name: str, args: list[str] | None = None) -> int:
    """Create a node and spin it until shutdown; 1, with the reason logged, if it cannot start.

    rclpy 7.1 (Jazzy) has no context-manager form of init(), hence the try/finally.
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
