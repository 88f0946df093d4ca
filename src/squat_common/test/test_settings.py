"""Settings dataclasses as parameters: names, checks, live updates, descriptors."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from squat_common.parameters import descriptor
from squat_common.settings import entries, group, parameter_value, setting, with_values


@dataclass(frozen=True)
class Inner:
    threshold: float = setting(10.0, "A threshold.", unit="deg", low=0.0, high=90.0)
    fixed: int = setting(3, "Fixed at start.", low=1, high=5, read_only=True)
    hidden: str = "not a parameter"


@dataclass(frozen=True)
class Outer:
    mode: str = setting("a", "A mode.", choices=("a", "b"))
    inner: Inner = group(Inner)
    flat: Inner = group(Inner, prefix="")
    point: tuple[float, ...] = setting((), "A point.")

    def problems(self) -> list[str]:
        return ["mode b needs a threshold over 20"] if self.mode == "b" and \
            self.inner.threshold <= 20 else []


def test_every_setting_has_one_name_and_groups_prefix_theirs():
    assert [e.name for e in entries(Outer())] == [
        "mode", "inner.threshold", "inner.fixed", "threshold", "fixed", "point"]


def test_values_are_applied_where_they_live_and_checked():
    changed = with_values(Outer(), {"inner.threshold": 12.5, "point": [1.0, 2.0, 3.0]})
    assert changed.inner.threshold == 12.5 and changed.flat.threshold == 10.0
    assert changed.point == (1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match=r"inner.threshold 95.0 is outside 0.0..90.0 deg"):
        with_values(Outer(), {"inner.threshold": 95.0})
    with pytest.raises(ValueError, match=r"mode 'c' is not one of a, b"):
        with_values(Outer(), {"mode": "c"})
    with pytest.raises(ValueError, match="finite"):
        with_values(Outer(), {"threshold": math.nan})
    with pytest.raises(ValueError, match="mode b needs"):
        with_values(Outer(), {"mode": "b"})
    assert with_values(Outer(), {"mode": "b", "inner.threshold": 30.0}).mode == "b"


def test_descriptors_carry_unit_range_and_read_only():
    by_name = {e.name: e for e in entries(Outer())}
    threshold = descriptor(by_name["inner.threshold"], 10.0)
    assert "Unit: deg." in threshold.description and not threshold.read_only
    assert (threshold.floating_point_range[0].from_value,
            threshold.floating_point_range[0].to_value) == (0.0, 90.0)
    fixed = descriptor(by_name["fixed"], 3)
    assert fixed.read_only and fixed.integer_range[0].to_value == 5
    assert parameter_value(Outer(), by_name["point"]) == []

