"""Names for the constants of squat_msgs: phases, severities and fault codes, defined once.

Everything here is read from the message definitions, so a code added to Fault.msg appears
everywhere without another list to update. Imports no rclpy.
"""

from __future__ import annotations

from squat_msgs.msg import Fault, SquatState


def _constants(message: type, names: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(message, name) for name in names}


# Phase number -> upper-case name, in SquatState's order.
PHASE_NAMES: dict[int, str] = {
    int(value): name for name, value in _constants(
        SquatState, ("UNKNOWN", "STANDING", "DESCENT", "BOTTOM", "ASCENT")).items()}

# Severity number -> lower-case word, as the CLIs and feedback show it.
SEVERITY_NAMES: dict[int, str] = {
    int(value): name.removeprefix("SEVERITY_").lower() for name, value in _constants(
        Fault, ("SEVERITY_LOW", "SEVERITY_MEDIUM", "SEVERITY_HIGH")).items()}
SEVERITY_LOW, SEVERITY_MEDIUM, SEVERITY_HIGH = (
    int(Fault.SEVERITY_LOW), int(Fault.SEVERITY_MEDIUM), int(Fault.SEVERITY_HIGH))



def _string_constants(message: type) -> dict[str, str]:
    # rosidl puts a message's constants on its metaclass, as properties of the class.
    values = {name: getattr(message, name) for name in dir(type(message)) if name.isupper()}
    return {name: value for name, value in values.items() if isinstance(value, str)}


# Every fault code Fault.msg defines (sorted).
FAULT_CODES: tuple[str, ...] = tuple(sorted(_string_constants(Fault).values()))
KNEE_VALGUS: str = Fault.KNEE_VALGUS
INSUFFICIENT_DEPTH: str = Fault.INSUFFICIENT_DEPTH
FORWARD_LEAN: str = Fault.FORWARD_LEAN
HEEL_LIFT: str = Fault.HEEL_LIFT
LATERAL_SHIFT: str = Fault.LATERAL_SHIFT
FAST_DESCENT: str = Fault.FAST_DESCENT
INCOMPLETE_LOCKOUT: str = Fault.INCOMPLETE_LOCKOUT
