"""The one conversion between message stamps and nanoseconds or seconds. Imports no rclpy."""

from __future__ import annotations

from typing import Any

from builtin_interfaces.msg import Time

NS_PER_S = 1_000_000_000


def time_from_ns(nanoseconds: int) -> Time:
    """A builtin_interfaces/Time for a time in nanoseconds."""
    return Time(sec=nanoseconds // NS_PER_S, nanosec=nanoseconds % NS_PER_S)


def time_from_s(seconds: float) -> Time:
    """A builtin_interfaces/Time for a time in seconds."""
    return time_from_ns(round(seconds * NS_PER_S))


def stamp_ns(message: Any) -> int:
    """Nanoseconds of a Time (a message's or rclpy's), or of a message's header stamp."""
    stamp = message.header.stamp if hasattr(message, "header") else message
    if hasattr(stamp, "nanoseconds"):
        return int(stamp.nanoseconds)
    return int(stamp.sec) * NS_PER_S + int(stamp.nanosec)


def stamp_s(message: Any) -> float:
    """Seconds of a Time, or of a message's header stamp."""
    return stamp_ns(message) / NS_PER_S
