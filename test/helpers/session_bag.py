"""A recorded session made up in the test, written as session_recorder writes one: camera
frames (JPEG) and the squat states, reps, feedback and reference summary pose_node and
feedback_node would have published, serialized by rclpy. Small and fast, for the tests of what
reads bags (report, recovery); the end-to-end session tests record real ones."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from builtin_interfaces.msg import Time
from rclpy.serialization import serialize_message

from squat_bringup.bag_writer import BagWriter, qos
from squat_bringup.session_topics import LATCHED, SENSOR, SESSION_TOPICS
from squat_common.image_conversion import jpeg_message
from squat_msgs.msg import (
    Fault,
    Feedback,
    Keypoint,
    Measurement,
    ReferenceSummary,
    RepSummary,
    SquatState,
)
from squat_pose.landmarks import LANDMARK_NAMES

START_NS = 1_764_000_000_000_000_000
FPS = 30.0
REP_S = 3.0  # each rep: 1.5 s down, 1.5 s up, then 1 s standing
REST_S = 1.0


@dataclass
class MadeSession:
    """What was written, to compare with what is read back."""

    reps: int
    frames: int
    faults: dict[int, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _time(ns: int) -> Time:
    return Time(sec=ns // 1_000_000_000, nanosec=ns % 1_000_000_000)


def _knee(t: float) -> tuple[float, int, float]:
    """Knee flexion (deg), rep index (0 when standing) and rep progress at session time t."""
    period = REP_S + REST_S
    rep, within = int(t // period), t % period
    if within >= REP_S:
        return 5.0, 0, 0.0
    progress = within / REP_S
    return 5.0 + 120.0 * math.sin(math.pi * progress), rep + 1, progress


def _figure(knee: float) -> np.ndarray:
    """33 keypoints (px) of a stick figure whose hips drop with the knee."""
    drop = 120.0 * math.sin(math.radians(knee) / 2)
    points = np.zeros((33, 2))
    points[:, 0] = 320.0
    points[:11, 1] = 90.0
    points[[11, 12], 1] = 150.0 + drop
    points[[13, 14, 15, 16, 17, 18, 19, 20, 21, 22], 1] = 200.0 + drop
    points[[23, 24], 1] = 260.0 + drop
    points[[25, 26], 0] = 360.0
    points[[25, 26], 1] = 340.0 + drop / 2
    points[[27, 28, 29, 30, 31, 32], 1] = 420.0
    points[[11, 13, 15, 23, 25, 27, 29, 31], 0] -= 25.0
    points[[12, 14, 16, 24, 26, 28, 30, 32], 0] += 25.0
    return points


def write_session(bag: Path, reps: int = 3, faulty: dict[int, str] | None = None,
                  reference_path: str = "builtin", close: bool = True) -> tuple[MadeSession,
                                                                                 BagWriter]:
    """A session of `reps` reps, `faulty` rep -> fault code; closed unless asked not to."""
    faulty = faulty or {}
    made = MadeSession(reps=reps, frames=0, faults={i: [c] for i, c in faulty.items()})
    writer = BagWriter(bag, [("squat_msgs", Path(__file__).resolve().parents[2] / "src" /
                                             "squat_msgs" / "msg")])
    kinds = {t.name: t for t in SESSION_TOPICS}

    def put(topic: str, ns: int, message: object) -> None:
        if topic not in writer.counts:
            kind = kinds[topic]
            writer.add_topic(topic, kind.msgtype, qos(kind.qos != SENSOR, kind.qos == LATCHED))
        writer.write(topic, ns, serialize_message(message))

    put("/squat/reference", START_NS, ReferenceSummary(path=reference_path, name="made up"))
    duration = reps * (REP_S + REST_S)
    frames = int(duration * FPS)
    rep_starts: dict[int, int] = {}
    for index in range(frames):
        t = index / FPS
        ns = START_NS + round(t * 1e9)
        knee, rep, progress = _knee(t)
        points = _figure(knee)
        state = SquatState()
        state.header.stamp = _time(ns)
        for view in ("front", "side"):
            image = np.full((480, 640, 3), (70, 80, 90), np.uint8)
            cv2.rectangle(image, (0, 420), (640, 480), (40, 50, 60), -1)
            message = jpeg_message(image, 80)
            message.header.stamp = _time(ns)
            put(f"/{view}/image_raw/compressed", ns + 2_000_000, message)
            keypoints = getattr(state, view)
            keypoints.header.stamp = _time(ns)
            keypoints.detected = True
            keypoints.keypoints = [Keypoint(name=name, x_px=float(x), y_px=float(y),
                                            visibility=0.9)
                                   for name, (x, y) in zip(LANDMARK_NAMES, points, strict=True)]
        side = Measurement.VIEW_SIDE
        state.angles.knee_flexion_left = Measurement(value=knee, confidence=0.9, view=side)
        state.angles.knee_flexion_right = Measurement(value=knee - 2, confidence=0.9, view=side)
        state.angles.hip_flexion_left = Measurement(value=knee * 0.8, confidence=0.9, view=side)
        state.angles.trunk_lean = Measurement(value=10 + knee * 0.2, confidence=0.9, view=side)
        state.sync_error_ms = 2.0 + (index % 5)
        state.rep_count = rep - 1 if rep else int(t // (REP_S + REST_S))
        state.reference_frame_index = round(progress * 40) + 5 if rep else -1
        state.frame_score = 90.0
        put("/squat/state", ns + 30_000_000, state)
        made.frames += 1
        if rep and rep not in rep_starts:
            rep_starts[rep] = ns
        if rep and progress + 1 / FPS / REP_S >= 1.0:
            summary = RepSummary(rep_index=rep, start_stamp=_time(rep_starts[rep]),
                                 bottom_stamp=_time(rep_starts[rep] + round(REP_S / 2 * 1e9)),
                                 end_stamp=_time(ns), descent_s=1.5, bottom_s=0.1,
                                 ascent_s=1.5, min_knee_angle_deg=55.0,
                                 max_trunk_lean_deg=34.0, max_knee_valgus_deg=4.0,
                                 score=92.0 - 30 * (rep in faulty))
            summary.header.stamp = _time(ns)
            if rep in faulty:
                summary.faults = [Fault(code=faulty[rep], value=14.5, threshold=10.0,
                                        unit="deg", severity=Fault.SEVERITY_MEDIUM)]
                summary.deviation_angles = ["trunk_lean"]
                summary.deviation_phases = ["bottom"]
                summary.deviation_degrees = [18.0]
            put("/squat/rep", ns + 40_000_000, summary)
            put("/squat/feedback", ns + 90_000_000,
                Feedback(rep_index=rep, text=f"Rep {rep}: knees out, chest up.",
                         source_ids=["knee_valgus", "technique_bracing"],
                         fault_codes=[faulty[rep]] if rep in faulty else [],
                         generator="template"))
    made.counts = dict(writer.counts)
    if close:
        writer.close()
    return made, writer
