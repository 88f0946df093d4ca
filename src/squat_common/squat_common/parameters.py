"""A node's settings dataclass as declared ROS parameters, kept current while the node runs.

Each field made with `squat_common.settings.setting` becomes a parameter with a descriptor
(description with unit, range, read-only). Values given at start (`-p`, `--params-file`) are
checked as a whole; later `ros2 param set` calls are validated by an on-set callback (the
range, the choices, the settings' own `problems()`), and an accepted change replaces the
settings object and is handed to the node. A read-only setting is refused by rclpy with the
reason "Trying to set a read-only parameter".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from rcl_interfaces.msg import (
    FloatingPointRange,
    IntegerRange,
    ParameterDescriptor,
    SetParametersResult,
)
from rclpy.node import Node
from rclpy.parameter import Parameter

from squat_common.node_runner import NodeConfigurationError
from squat_common.settings import Entry, entries, parameter_value, with_values

T = TypeVar("T")
_INT_LIMIT = 2**62


def descriptor(entry: Entry, default: Any) -> ParameterDescriptor:
    """The descriptor of one setting: description (with unit), range, read-only."""
    info = entry.info
    found = ParameterDescriptor(description=info.text(), read_only=info.read_only)
    if info.low is None and info.high is None:
        return found
    if isinstance(default, float):
        found.floating_point_range = [FloatingPointRange(
            from_value=-math.inf if info.low is None else float(info.low),
            to_value=math.inf if info.high is None else float(info.high))]
    elif isinstance(default, int) and not isinstance(default, bool):
        found.integer_range = [IntegerRange(
            from_value=-_INT_LIMIT if info.low is None else int(info.low),
            to_value=_INT_LIMIT if info.high is None else int(info.high))]
    return found


class NodeParameters(Generic[T]):
    """The settings of `node` as parameters; `value` is always the settings in force.

    `check(settings, names)` may refuse a live change that the ranges allow (a file that does
    not load) by returning the reason; `on_change(settings, names)` is called after a live
    change was accepted, with the names of the parameters that changed.
    """

    def __init__(self, node: Node, defaults: T, prefix: str = "",
                 on_change: Callable[[T, set[str]], None] | None = None,
                 check: Callable[[T, set[str]], str | None] | None = None) -> None:
        self._node, self._prefix, self._on_change = node, prefix, on_change
        self._check = check
        self._entries = {entry.name: entry for entry in entries(defaults, prefix)}
        given: dict[str, Any] = {}
        for name, entry in self._entries.items():
            default = parameter_value(defaults, entry)
            self._accept_integers_for(name, default)
            # An empty list says nothing of its items' type: such settings are lists of
            # numbers (a position left to its default), declared statically typed but unset.
            declared = Parameter.Type.DOUBLE_ARRAY if default == [] else default
            value = node.declare_parameter(name, declared, descriptor(entry, default)).value
            if value is None:
                continue
            if not isinstance(value, str | bytes) and hasattr(value, "__len__"):
                value = list(value)  # rclpy hands arrays back as array.array
            if value != default:
                given[name] = value
        try:
            self.value: T = with_values(defaults, given, prefix)
        except ValueError as error:
            raise NodeConfigurationError(str(error)) from error
        self._pending: T | None = None
        node.add_on_set_parameters_callback(self._validate)
        node.add_post_set_parameters_callback(self._apply)

    def _accept_integers_for(self, name: str, default: Any) -> None:
        # `-p framerate:=30` arrives as an integer; for a floating-point setting that is what
        # the user meant, not a type error.
        overrides = getattr(self._node, "_parameter_overrides", {})
        given = overrides.get(name)
        if isinstance(default, float) and given is not None and \
                given.type_ == Parameter.Type.INTEGER:
            overrides[name] = Parameter(name, Parameter.Type.DOUBLE, float(given.value))

    def _ours(self, parameters: Sequence[Parameter]) -> dict[str, Any]:
        return {p.name: list(p.value) if isinstance(p.value, Sequence) and
                not isinstance(p.value, str) else p.value
                for p in parameters if p.name in self._entries}

    def _validate(self, parameters: list[Parameter]) -> SetParametersResult:
        changes = self._ours(parameters)
        if not changes:
            return SetParametersResult(successful=True)
        try:
            pending = with_values(self.value, changes, self._prefix)
        except ValueError as error:
            self._pending = None
            return SetParametersResult(successful=False, reason=str(error))
        reason = self._check(pending, set(changes)) if self._check is not None else None
        self._pending = None if reason else pending
        return SetParametersResult(successful=not reason, reason=reason or "")

    def _apply(self, parameters: list[Parameter]) -> None:
        changes = self._ours(parameters)
        if not changes or self._pending is None:
            return
        self.value, self._pending = self._pending, None
        self._node.get_logger().info(
            "parameters changed: " + ", ".join(f"{k}={v}" for k, v in changes.items()))
        if self._on_change is not None:
            self._on_change(self.value, set(changes))
