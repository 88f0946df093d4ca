"""Settings dataclasses that say, field by field, how each setting is offered as a parameter.

A node's settings are a (frozen) dataclass whose fields are made with `setting()` (one value)
or `group()` (a nested settings dataclass, its parameters prefixed with the group's name). The
field holds the one default; its metadata holds the description, unit, range, choices and
whether the value can change while the node runs. `squat_common.parameters` turns this into
declared ROS parameters; this module imports no rclpy, so pure code (thresholds, analysis)
describes its settings where they are defined and is tested without ROS.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
_KEY = "squat_setting"
_GROUP = "squat_group"


@dataclass(frozen=True)
class SettingInfo:
    """How one field is offered as a parameter."""

    description: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    # False: applied while running (ros2 param set takes effect); True: fixed at start.
    read_only: bool = False
    # For fields whose Python value is not a parameter type (a parsed list, a Path...):
    # parameter value -> field value (raising ValueError with the reason) and back.
    decode: Callable[[Any], Any] | None = None
    encode: Callable[[Any], Any] | None = None

    def text(self) -> str:
        """The parameter description: what it is, its unit, and when it takes effect."""
        parts = [self.description]
        if self.unit:
            parts.append(f"Unit: {self.unit}.")
        if self.choices:
            parts.append(f"One of: {', '.join(self.choices)}.")
        parts.append("Fixed at start (read-only)." if self.read_only
                     else "Can be changed while running.")
        return " ".join(parts)


def setting(default: Any = dataclasses.MISSING, description: str = "", *, unit: str = "",
            low: float | None = None, high: float | None = None,
            choices: tuple[str, ...] = (), read_only: bool = False,
            default_factory: Callable[[], Any] | None = None,
            decode: Callable[[Any], Any] | None = None,
            encode: Callable[[Any], Any] | None = None) -> Any:
    """A dataclass field that is also a parameter."""
    info = SettingInfo(description, unit, low, high, choices, read_only, decode, encode)
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata={_KEY: info})
    return dataclasses.field(default=default, metadata={_KEY: info})


def group(factory: Callable[[], Any], prefix: str | None = None) -> Any:
    """A nested settings dataclass; its parameters are `<prefix>.<name>` (the field's name by
    default; "" puts them at the top level)."""
    return dataclasses.field(default_factory=factory, metadata={_GROUP: prefix})


@dataclass(frozen=True)
class Entry:
    """One parameter of a settings tree: its full name, its info and where it lives."""

    name: str
    info: SettingInfo
    path: tuple[str, ...]  # attribute names from the root settings object to the field


def entries(settings: Any, prefix: str = "") -> Iterator[Entry]:
    """Every parameter of a settings object (depth first, in field order)."""
    yield from _entries(settings, prefix, ())


def _entries(settings: Any, prefix: str, path: tuple[str, ...]) -> Iterator[Entry]:
    for f in dataclasses.fields(settings):
        if _GROUP in f.metadata:
            sub = f.metadata[_GROUP]
            sub_prefix = f.name if sub is None else sub
            full = ".".join(p for p in (prefix, sub_prefix) if p)
            yield from _entries(getattr(settings, f.name), full, (*path, f.name))
        elif _KEY in f.metadata:
            name = f"{prefix}.{f.name}" if prefix else f.name
            yield Entry(name, f.metadata[_KEY], (*path, f.name))


def field_value(settings: Any, entry: Entry) -> Any:
    """The current value of `entry` in `settings`."""
    value = settings
    for name in entry.path:
        value = getattr(value, name)
    return value


def parameter_value(settings: Any, entry: Entry) -> Any:
    """The value of `entry` as a parameter (encoded where the field needs it)."""
    value = field_value(settings, entry)
    if entry.info.encode is not None:
        return entry.info.encode(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def check(entry: Entry, value: Any) -> str | None:
    """Why `value` is not acceptable for `entry` (range, choices, finite); None when it is."""
    info = entry.info
    if isinstance(value, float) and not math.isfinite(value):
        return f"{entry.name} must be a finite number, not {value}"
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and ((info.low is not None and value < info.low)
                   or (info.high is not None and value > info.high)):
        return (f"{entry.name} {value} is outside {info.low}..{info.high}"
                f"{' ' + info.unit if info.unit else ''}")
    if info.choices and value not in info.choices:
        return f"{entry.name} {value!r} is not one of {', '.join(info.choices)}"
    return None


def with_values(settings: T, values: Mapping[str, Any], prefix: str = "") -> T:
    """A copy of `settings` with the parameters `values` (name -> parameter value) applied.

    ValueError names the first value that is refused: out of range, not a choice, not
    decodable, or rejected by the settings' own `problems()`.
    """
    by_name = {entry.name: entry for entry in entries(settings, prefix)}
    updated = settings
    for name, value in values.items():
        entry = by_name.get(name)
        if entry is None:
            raise ValueError(f"{name} is not a setting")
        reason = check(entry, value)
        if reason:
            raise ValueError(reason)
        if entry.info.decode is not None:
            try:
                value = entry.info.decode(value)
            except ValueError as error:
                raise ValueError(f"{name}: {error}") from error
        elif isinstance(field_value(settings, entry), tuple):
            value = tuple(value)
        updated = _replaced(updated, entry.path, value)
    problems = all_problems(updated)
    if problems:
        raise ValueError("; ".join(problems))
    return updated


def all_problems(settings: Any) -> list[str]:
    """What the settings (and every nested group) say is wrong with them, via `problems()`."""
    found = list(settings.problems()) if hasattr(settings, "problems") else []
    for f in dataclasses.fields(settings):
        if _GROUP in f.metadata:
            found += all_problems(getattr(settings, f.name))
    return found


def _replaced(settings: Any, path: tuple[str, ...], value: Any) -> Any:
    head, *rest = path
    inner = _replaced(getattr(settings, head), tuple(rest), value) if rest else value
    return dataclasses.replace(settings, **{head: inner})


def range_problems(settings: Any) -> list[str]:
    """The values of `settings`' own fields (not its groups) outside their range or choices."""
    found = []
    for f in dataclasses.fields(settings):
        if _KEY in f.metadata:
            reason = check(Entry(f.name, f.metadata[_KEY], (f.name,)), getattr(settings, f.name))
            if reason:
                found.append(reason)
    return found
