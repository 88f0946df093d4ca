"""Names of the squat_msgs constants, read from the messages."""

from __future__ import annotations

from squat_common import names


def test_names_come_from_the_message_constants():
    assert set(names.FAULT_CODES) == {
        "knee_valgus", "insufficient_depth", "forward_lean", "heel_lift", "lateral_shift",
        "fast_descent", "incomplete_lockout"}
    assert names.PHASE_NAMES[3] == "BOTTOM" and names.SEVERITY_NAMES[2] == "medium"
