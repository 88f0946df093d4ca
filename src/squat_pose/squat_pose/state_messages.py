"""SquatState pieces for what is known of a synchronised pair before any pose is estimated."""

from __future__ import annotations

from sensor_msgs.msg import Image

from squat_msgs.msg import JointAngles, Measurement, PoseKeypoints, SquatState


def unmeasured() -> Measurement:
    """A measurement that could not be taken: NaN, zero confidence, no view."""
    return Measurement(value=float("nan"), confidence=0.0, view=Measurement.VIEW_NONE)


def unmeasured_angles() -> JointAngles:
    """JointAngles with every field unmeasured."""
    angles = JointAngles()
    for field in JointAngles.get_fields_and_field_types():
        setattr(angles, field, unmeasured())
    return angles


def view_without_pose(image: Image, camera_name: str) -> PoseKeypoints:
    """The PoseKeypoints of an image in which no person has been found (yet)."""
    view = PoseKeypoints()
    view.header = image.header
    view.camera_name = camera_name
    view.image_width = image.width
    view.image_height = image.height
    view.detected = False
    view.detection_score = 0.0
    return view


def paired_state(front: Image, side: Image, sync_error_ms: float) -> SquatState:
    """A SquatState for a (front, side) pair carrying its timing, with phase UNKNOWN."""
    state = SquatState()
    state.header = front.header
    state.front = view_without_pose(front, "front")
    state.side = view_without_pose(side, "side")
    state.sync_error_ms = sync_error_ms
    state.angles = unmeasured_angles()
    state.phase = SquatState.UNKNOWN
    state.reference_frame_index = -1
    state.similarity_front = float("nan")
    state.similarity_side = float("nan")
    state.frame_score = float("nan")
    return state
