"""What a recorded session holds, read from its bag as plain data for the report: the reps
with their feedback, the angle curves with the reference's at each matched frame, each rep's
bottom frame per camera with its keypoints, and how well the cameras paired.

Messages are decoded with the definitions the bag carries (rosbags), so a bag opens without
squat_msgs installed. Imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from rosbags.highlevel import AnyReader, AnyReaderError
from rosbags.typesys import Stores, get_typestore

from squat_common.bag_reading import COMPRESSED, BagReadError, check_bag
from squat_common.names import SEVERITY_NAMES
from squat_pose.reference import BUILTIN, ReferenceError, channels, load_reference, reference_file

STATE, REP, FEEDBACK, REFERENCE = "/squat/state", "/squat/rep", "/squat/feedback", \
    "/squat/reference"
# The curves the report draws, in the order it draws them.
PLOTTED = ("knee_flexion", "hip_flexion", "trunk_lean")
_SIDED = ("knee_flexion", "hip_flexion", "ankle_dorsiflexion", "knee_valgus")


@dataclass(frozen=True)
class RecordedRep:
    """One finished rep as pose_node reported it, with the coach's words on it."""

    index: int
    start_s: float  # seconds from the session's first state
    bottom_s: float
    end_s: float
    descent_s: float
    bottom_hold_s: float
    ascent_s: float
    min_knee_angle_deg: float
    max_trunk_lean_deg: float
    max_knee_valgus_deg: float
    score: float  # NaN: not scored
    faults: tuple[tuple[str, str, float, float, str], ...]  # code, severity, value, limit, unit
    deviations: tuple[tuple[str, str, float], ...]  # angle, phase, degrees
    feedback: str = ""
    sources: tuple[str, ...] = ()
    bottom_stamp_ns: int = 0
    not_judged: tuple[tuple[str, str], ...] = ()  # code, why no camera could judge it


@dataclass
class BottomFrame:
    """One camera's frame at a rep's bottom, with the keypoints pose_node found on it."""

    rep_index: int
    view: str
    image: np.ndarray  # bgr8
    points: np.ndarray  # (33, 2) pixels; empty when nobody was found
    visibility: np.ndarray  # (33,)


@dataclass
class SessionRecord:
    """A recorded session, ready to report."""

    bag: Path
    start_ns: int
    duration_s: float
    reps: list[RecordedRep]
    times_s: np.ndarray  # (N,) of every state
    angles: dict[str, np.ndarray]  # channel -> (N,) the athlete's
    reference_angles: dict[str, np.ndarray]  # channel -> (N,) the reference's at its match
    sync_errors_ms: np.ndarray  # (N,) |front - side| of each pair
    reference_name: str = ""
    reference_note: str = ""  # why the reference's curves are missing, when they are
    bottoms: list[BottomFrame] = field(default_factory=list)

    @property
    def mean_score(self) -> float:
        scores = [r.score for r in self.reps if math.isfinite(r.score)]
        return float(np.mean(scores)) if scores else math.nan


def _ns(stamp: object) -> int:
    return stamp.sec * 1_000_000_000 + stamp.nanosec


def _state_angles(state: object) -> dict[str, float]:
    values = {}
    for name in _SIDED:
        for side in ("left", "right"):
            values[f"{name}_{side}"] = getattr(state.angles, f"{name}_{side}").value
    values["trunk_lean"] = state.angles.trunk_lean.value
    return channels({k: v for k, v in values.items() if math.isfinite(v)})


def _rep(message: object, start_ns: int) -> RecordedRep:
    return RecordedRep(
        index=message.rep_index,
        start_s=(_ns(message.start_stamp) - start_ns) / 1e9,
        bottom_s=(_ns(message.bottom_stamp) - start_ns) / 1e9,
        end_s=(_ns(message.end_stamp) - start_ns) / 1e9,
        descent_s=message.descent_s, bottom_hold_s=message.bottom_s, ascent_s=message.ascent_s,
        min_knee_angle_deg=message.min_knee_angle_deg,
        max_trunk_lean_deg=message.max_trunk_lean_deg,
        max_knee_valgus_deg=message.max_knee_valgus_deg, score=message.score,
        faults=tuple((f.code, SEVERITY_NAMES.get(f.severity, str(f.severity)), f.value,
                      f.threshold, f.unit) for f in message.faults),
        deviations=tuple(zip(message.deviation_angles, message.deviation_phases,
                             (float(d) for d in message.deviation_degrees), strict=False)),
        bottom_stamp_ns=_ns(message.bottom_stamp),
        # Bags recorded before RepSummary had it read as none.
        not_judged=tuple((item.code, item.reason)
                         for item in getattr(message, "not_judged", ())))


def _reference_curves(path: str, indices: np.ndarray) -> tuple[dict[str, np.ndarray], str, str]:
    """The reference's angles at each state's matched frame, its name, and a note if absent."""
    if not path:
        return {}, "", "the session was not scored against a reference"
    try:
        reference = load_reference(reference_file(path) if path == BUILTIN else Path(path))
    except ReferenceError as error:
        return {}, Path(path).stem, f"the reference's curves are not drawn: {error}"
    curves = {}
    valid = (indices >= 0) & (indices < len(reference.times_s))
    for name in PLOTTED:
        values = reference.angles.get(name)
        curve = np.full(len(indices), np.nan)
        if values is not None:
            curve[valid] = values[indices[valid]]
        curves[name] = curve
    return curves, reference.name, ""


def read_session(bag: Path) -> SessionRecord:
    """The recorded session in `bag`; BagReadError when it cannot be read."""
    check_bag(bag)
    try:
        with AnyReader([bag], default_typestore=get_typestore(Stores.ROS2_JAZZY)) as reader:
            return _read(bag, reader)
    except AnyReaderError as error:
        raise BagReadError(f"cannot read the bag {bag}: {error}") from None


def _read(bag: Path, reader: AnyReader) -> SessionRecord:
    wanted = [c for c in reader.connections if c.topic in (STATE, REP, FEEDBACK, REFERENCE)]
    states, reps, feedback, reference_path = [], {}, {}, ""
    for connection, _, data in reader.messages(wanted):
        message = reader.deserialize(data, connection.msgtype)
        if connection.topic == STATE:
            states.append(message)
        elif connection.topic == REP:
            reps[message.rep_index] = message
        elif connection.topic == FEEDBACK:
            feedback.setdefault(message.rep_index, message)
        else:
            reference_path = message.path
    if not states:
        raise BagReadError(f"the bag {bag} holds no squat states: nothing to report "
                           "(was pose_node running while it recorded?)")
    states.sort(key=lambda s: _ns(s.header.stamp))
    stamps = np.array([_ns(s.header.stamp) for s in states], dtype=np.int64)
    start_ns = int(stamps[0])
    per_frame = [_state_angles(s) for s in states]
    angles = {name: np.array([a.get(name, np.nan) for a in per_frame]) for name in PLOTTED}
    indices = np.array([s.reference_frame_index for s in states], dtype=np.int64)
    reference_angles, reference_name, note = _reference_curves(reference_path, indices)
    recorded = []
    for index in sorted(reps):
        rep = _rep(reps[index], start_ns)
        said = feedback.get(index)
        if said is not None:
            rep = RecordedRep(**{**rep.__dict__, "feedback": said.text,
                                 "sources": tuple(said.source_ids)})
        recorded.append(rep)
    record = SessionRecord(
        bag=bag, start_ns=start_ns, duration_s=float(stamps[-1] - stamps[0]) / 1e9,
        reps=recorded, times_s=(stamps - start_ns) / 1e9, angles=angles,
        reference_angles=reference_angles,
        sync_errors_ms=np.abs(np.array([s.sync_error_ms for s in states], dtype=float)),
        reference_name=reference_name, reference_note=note)
    record.bottoms = _bottom_frames(reader, recorded, states, stamps)
    return record


def _bottom_frames(reader: AnyReader, reps: list[RecordedRep], states: list,
                   stamps: np.ndarray) -> list[BottomFrame]:
    """Each rep's bottom as each camera saw it: the analysed pair nearest the bottom."""
    wanted: dict[tuple[str, int], tuple[int, object]] = {}
    for rep in reps:
        state = states[int(np.argmin(np.abs(stamps - rep.bottom_stamp_ns)))]
        for view in ("front", "side"):
            keypoints = getattr(state, view)
            if keypoints.header.stamp.sec or keypoints.header.stamp.nanosec:
                wanted[(view, _ns(keypoints.header.stamp))] = (rep.index, keypoints)
    cameras = [c for c in reader.connections if c.topic.endswith(COMPRESSED)]
    found = []
    for connection, _, data in reader.messages(cameras):
        view = connection.topic[1:-len(COMPRESSED)]
        message = reader.deserialize(data, connection.msgtype)
        match = wanted.pop((view, _ns(message.header.stamp)), None)
        if match is None:
            continue
        image = cv2.imdecode(np.asarray(message.data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            continue
        rep_index, keypoints = match
        points = np.array([[k.x_px, k.y_px] for k in keypoints.keypoints]).reshape(-1, 2)
        visibility = np.array([k.visibility for k in keypoints.keypoints])
        found.append(BottomFrame(rep_index, view, image, points, visibility))
    return sorted(found, key=lambda b: (b.rep_index, b.view))
