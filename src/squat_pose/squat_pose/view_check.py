"""How well each camera sees the athlete, and which faults it may therefore judge.

A front camera judges what happens across the body (knees caving in, the pelvis shifting), a
side camera what happens along it (depth, trunk lean, heels, lockout). Each can only do so
while it looks at the body along its own axis: a front camera 40 deg round the athlete sees a
bent knee's forward travel as a sideways one and reads "valgus" on a clean rep. A fault whose
view cannot see it is reported as not judged, with the reason, never as a fault.

How the camera sees the body comes from MediaPipe's world landmarks (metres, camera-aligned
axes): the angle of the left-right line of hips and shoulders out of the image plane is 0 for
a camera facing the athlete (or their back) and 90 for one side-on. Measured on the virtual
athlete (`python test/bench/bench_view_check.py`), it reads within about 10 deg of the truth
from 0 to 90 deg, a little under at the middle angles; the median over the athlete's standing
frames is used, as the camera does not move during a set.
Imports no rclpy.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from squat_common.names import (
    FAST_DESCENT,
    FORWARD_LEAN,
    HEEL_LIFT,
    INCOMPLETE_LOCKOUT,
    INSUFFICIENT_DEPTH,
    KNEE_VALGUS,
    LATERAL_SHIFT,
)
from squat_common.settings import setting
from squat_pose.faults import Fault
from squat_pose.geometry_3d import VIEW as VIEW_3D
from squat_pose.landmarks import INDEX
from squat_pose.pose_estimation import PoseResult

# Body parts a fault needs in the frame, by their landmarks.
PARTS: dict[str, tuple[int, ...]] = {
    "head": (INDEX["nose"],),
    "shoulders": (INDEX["left_shoulder"], INDEX["right_shoulder"]),
    "hips": (INDEX["left_hip"], INDEX["right_hip"]),
    "knees": (INDEX["left_knee"], INDEX["right_knee"]),
    "feet": (INDEX["left_ankle"], INDEX["right_ankle"], INDEX["left_heel"],
             INDEX["right_heel"], INDEX["left_foot_index"], INDEX["right_foot_index"]),
}
# The view that judges each fault and the parts it needs; the ideal axis of each view as the
# angle of the body's left-right line out of its image plane.
FAULT_VIEWS: dict[str, tuple[str, tuple[str, ...]]] = {
    KNEE_VALGUS: ("front", ("knees", "feet")),
    LATERAL_SHIFT: ("front", ("hips", "feet")),
    INSUFFICIENT_DEPTH: ("side", ("hips", "knees")),
    FORWARD_LEAN: ("side", ("shoulders", "hips")),
    HEEL_LIFT: ("side", ("feet",)),
    INCOMPLETE_LOCKOUT: ("side", ("hips", "knees", "feet")),
    # The start of a descent shows in the side view's knee angle; from the front the thigh
    # points at the camera and its projected bend hardly moves until well down (a 1.3 s
    # descent read 0.9 s from the front).
    FAST_DESCENT: ("side", ("hips", "knees", "feet")),
}
IDEAL_AXIS_DEG = {"front": 0.0, "side": 90.0}
_LEFT_RIGHT = ((INDEX["left_hip"], INDEX["right_hip"]),
               (INDEX["left_shoulder"], INDEX["right_shoulder"]))


@dataclass(frozen=True)
class ViewCheckSettings:
    """When a view may judge; the parameters are pose_node's view_check.*."""

    front_max_off_axis_deg: float = setting(
        35.0, "The front camera judges knee valgus only while it sees the athlete within this "
        "of facing it.", unit="deg", low=0.0, high=90.0)
    side_max_off_axis_deg: float = setting(
        45.0, "The side camera judges depth, trunk lean, heel lift, lockout and descent tempo "
        "only while it sees the athlete within this of side-on.", unit="deg", low=0.0, high=90.0)
    # The hips travel back ~1 standing hip width in a squat; a camera psi round the athlete
    # sees ~sin(psi) of that as a sideways shift (virtual athlete, clean reps: 0.05 hip widths
    # at 0 deg, 0.07-0.17 at +-10, 0.16-0.33 at +-20, against a 0.15 limit), and this check
    # reads +-10 deg as 11.5-12.4.
    # Triangulated, the hips misread the same way: MediaPipe places a hip where it looks from
    # each camera, and as the body folds that point moves back and forth over the hip; from a
    # front camera turned round, the triangulated move leaks sideways (bench_view_check.py
    # --calibrated, true calibration: no false shift at yaw 0, the forward-lean rep read
    # 0.34-0.37 at +-10, clean reps 0.19-0.32 at +-20 against 0.15).
    shift_max_off_axis_deg: float = setting(
        8.0, "The front camera judges lateral shift, alone or in 3D, only while it sees the "
        "athlete within this of facing it: the hips' backward travel in a squat looks like a "
        "shift from any further round.", unit="deg", low=0.0, high=90.0)
    # Seen from 20 deg round the foot is foreshortened and its landmarks degrade: the toe's
    # height jitters six times as much as side-on, and over the yaw +-20 cells of
    # bench_view_check.py a 4 cm heel lift was missed in 4 of 12 and a deep rep read as one;
    # side cameras at ideal placements read 1-3 deg off, 20 deg round 18-30.
    heel_max_off_axis_deg: float = setting(
        15.0, "The side camera judges heel lift only while it sees the athlete within this of "
        "side-on: further round, the foot's landmarks misread the heel.", unit="deg", low=0.0,
        high=90.0)
    # A side camera psi round reads a thigh's slope s as atan(tan(s) / cos(psi)): a thigh 10
    # deg above parallel (faults.insufficient_depth) reads 10.35 at 15 deg, 13.1 at 40.
    side_depth_in_3d_max_off_axis_deg: float = setting(
        15.0, "With a calibrated rig the side camera judges depth, and times the descent, "
        "itself while it sees the athlete within this of side-on (the front camera sees the "
        "thigh end-on at the bottom); further round, the triangulated thigh does.", unit="deg",
        low=0.0, high=90.0)
    # A heel lift at its limit (faults.heel_lift, 0.06 torso lengths) moves the heel's
    # landmark 4 px with a 70 px torso; MediaPipe places a foot's landmarks a pixel or two
    # apart from frame to frame, and read a 4 cm lift as 0.055 with a 56 px torso (640x480,
    # 5 m away; 0.08 with 81 px at 3.5 m).
    heel_min_torso_px: float = setting(
        70.0, "The side camera judges heel lift only while the athlete's standing torso "
        "(shoulders to hips) spans at least this in its image.", unit="px", low=0.0,
        high=1000.0)
    min_in_frame: float = setting(
        0.5, "A body part counts as in the frame when it is in at least this share of the "
        "recent frames.", low=0.0, high=1.0)


def body_turn_deg(pose: PoseResult) -> float:
    """How far the athlete's left-right line turns out of the image plane, 0..90 deg."""
    across = sum((pose.world[left] - pose.world[right]) / max(
        float(np.linalg.norm(pose.world[left] - pose.world[right])), 1e-9)
        for left, right in _LEFT_RIGHT)
    return math.degrees(math.atan2(abs(float(across[2])), abs(float(across[0]))))


def parts_out_of_frame(pose: PoseResult) -> set[str]:
    """The body parts with a landmark outside the image (MediaPipe places them beyond it)."""
    x, y = pose.pixels[:, 0], pose.pixels[:, 1]
    outside = (x < 0) | (y < 0) | (x >= pose.width) | (y >= pose.height)
    return {part for part, joints in PARTS.items() if outside[list(joints)].any()}


@dataclass(frozen=True)
class ViewStatus:
    """How one camera sees the athlete now."""

    view: str
    seen: bool
    turn_deg: float | None = None  # body_turn_deg, the median of recent frames
    cut_off: tuple[str, ...] = ()  # parts out of the frame in most recent frames
    torso_px: float | None = None  # shoulders to hips in the image, standing (median)

    @property
    def off_axis_deg(self) -> float | None:
        """How far the camera is from its ideal axis round the athlete."""
        if self.turn_deg is None:
            return None
        return abs(self.turn_deg - IDEAL_AXIS_DEG[self.view])

    def why_not(self, parts: tuple[str, ...], max_off_axis_deg: float,
                min_torso_px: float = 0.0) -> str:
        """Why this view cannot judge a fault needing `parts` (and a torso of `min_torso_px`
        in the image); '' when it can."""
        camera = f"{self.view} camera"
        if not self.seen:
            return f"{camera} does not see the athlete"
        off = self.off_axis_deg
        if off is not None and off > max_off_axis_deg:
            return f"{camera} sees the athlete {off:.0f} deg off its axis"
        if cut := [part for part in parts if part in self.cut_off]:
            return f"{camera} has the athlete's {' and '.join(cut)} out of the frame"
        if self.torso_px is not None and self.torso_px < min_torso_px:
            return (f"{camera} sees the athlete too small ({self.torso_px:.0f} px of torso, "
                    f"{min_torso_px:.0f} needed)")
        return ""

    def advice(self, settings: ViewCheckSettings) -> str:
        """What to change so this view judges all it can, in a trainer's words; '' when it
        does."""
        if not self.seen:
            return "no athlete seen: stand in front of the camera"
        moves = []
        if "head" in self.cut_off and "feet" in self.cut_off:
            moves.append("head and feet cut off, move the camera back")
        elif "feet" in self.cut_off:
            moves.append("feet cut off, tilt down or move back")
        elif "head" in self.cut_off:
            moves.append("head cut off, tilt up or move back")
        off = self.off_axis_deg
        if self.view == "front" and off is not None and off > settings.shift_max_off_axis_deg:
            moves.append(f"athlete {off:.0f} deg off, move the camera round to face them")
        elif self.view == "side" and off is not None and off > settings.heel_max_off_axis_deg:
            moves.append(f"athlete {off:.0f} deg off side-on, move the camera round to their "
                         "side")
        if (self.view == "side" and self.torso_px is not None
                and self.torso_px < settings.heel_min_torso_px):
            moves.append("athlete small in the frame, move the camera closer")
        return "; ".join(moves)

    def describe(self) -> str:
        """One line: what the camera sees."""
        if not self.seen:
            return f"{self.view} camera: no athlete"
        whole = ("whole body in frame" if not self.cut_off
                 else f"{', '.join(self.cut_off)} out of frame")
        angle = ("" if self.off_axis_deg is None
                 else f", {self.off_axis_deg:.0f} deg off its axis")
        return f"{self.view} camera: {whole}{angle}"


class ViewMonitor:
    """One camera's recent frames, summed up as a ViewStatus."""

    def __init__(self, view: str, settings: ViewCheckSettings = ViewCheckSettings(),
                 frames: int = 90) -> None:
        self.view, self.settings = view, settings
        self._turns: deque[float] = deque(maxlen=frames)
        self._standing_turns: deque[float] = deque(maxlen=frames)
        self._cut: deque[frozenset[str]] = deque(maxlen=frames)
        self._seen: deque[bool] = deque(maxlen=frames)
        self._torsos: deque[float] = deque(maxlen=frames)

    def update(self, pose: PoseResult | None, standing: bool) -> None:
        """Feed one frame of this view (None: nobody seen); `standing`: the athlete stands,
        when the turn of the body reads truest."""
        self._seen.append(pose is not None)
        if pose is None:
            return
        turn = body_turn_deg(pose)
        self._turns.append(turn)
        if standing:
            self._standing_turns.append(turn)
            self._torsos.append(float(np.linalg.norm(
                pose.pixels[list(PARTS["shoulders"])].mean(axis=0)
                - pose.pixels[list(PARTS["hips"])].mean(axis=0))))
        self._cut.append(frozenset(parts_out_of_frame(pose)))

    @property
    def status(self) -> ViewStatus:
        if not self._cut or sum(self._seen) < len(self._seen) / 2:
            return ViewStatus(self.view, seen=False)
        turns = self._standing_turns or self._turns
        cut = tuple(part for part in PARTS
                    if sum(part in frame for frame in self._cut) / len(self._cut)
                    > 1.0 - self.settings.min_in_frame)
        torso = float(np.median(self._torsos)) if self._torsos else None
        return ViewStatus(self.view, True, float(np.median(turns)), cut, torso)


@dataclass(frozen=True)
class NotJudged:
    """A fault a rep was not judged on, and why ("front camera sees the athlete 40 deg off its
    axis")."""

    code: str
    reason: str


def judging_view(code: str, knee_view: str) -> tuple[str, tuple[str, ...]]:
    """The view that judges fault `code` and the body parts it needs; `knee_view`: the view
    the rep's knee flexion, and so its timing and lockout, was read from."""
    view, parts = FAULT_VIEWS.get(code, (knee_view, ()))
    return (knee_view if code == INCOMPLETE_LOCKOUT or knee_view == VIEW_3D else view), parts


def max_off_axis_deg(code: str, view: str, settings: ViewCheckSettings) -> float:
    """How far round the athlete `view` may be and still judge fault `code`."""
    if code == LATERAL_SHIFT:
        return settings.shift_max_off_axis_deg
    if code == HEEL_LIFT:
        return settings.heel_max_off_axis_deg
    return settings.front_max_off_axis_deg if view == "front" else settings.side_max_off_axis_deg


def judge(faults: list[Fault], statuses: dict[str, ViewStatus], knee_view: str,
          settings: ViewCheckSettings = ViewCheckSettings()
          ) -> tuple[list[Fault], list[NotJudged]]:
    """The faults the views can judge, each with its view and confidence, and every fault the
    views cannot judge (found or not) with the reason. `knee_view` "3d": the measures came
    from triangulated landmarks, so a fault needs its body parts in both cameras' frames and
    how either camera stands round the athlete does not matter, but for lateral shift: the
    front camera must face the athlete (`shift_max_off_axis_deg`)."""
    reasons: dict[str, str] = {}
    for code in FAULT_VIEWS:
        view, parts = judging_view(code, knee_view)
        if view == VIEW_3D:
            reason = next((why for camera in IDEAL_AXIS_DEG if (why := statuses.get(
                camera, ViewStatus(camera, seen=False)).why_not(
                    parts, settings.shift_max_off_axis_deg
                    if code == LATERAL_SHIFT and camera == "front" else math.inf))), "")
        else:
            status = statuses.get(view, ViewStatus(view, seen=False))
            reason = status.why_not(parts, max_off_axis_deg(code, view, settings),
                                    settings.heel_min_torso_px if code == HEEL_LIFT else 0.0)
        if reason:
            reasons[code] = reason
    kept = []
    for fault in faults:
        if fault.code not in reasons:
            view, _ = judging_view(fault.code, knee_view)
            off = statuses[view].off_axis_deg if view in statuses else None
            kept.append(replace(fault, view=view, confidence=view_confidence(
                off, max_off_axis_deg(fault.code, view, settings))))
    return kept, [NotJudged(code, reason) for code, reason in reasons.items()]


def view_confidence(off_axis_deg: float | None, limit_deg: float) -> float:
    """1 on the view's axis, falling to 0.5 at the largest angle it judges at (`limit_deg`)."""
    if off_axis_deg is None or limit_deg == 0:
        return 1.0
    return max(0.0, 1.0 - 0.5 * off_axis_deg / limit_deg)


@dataclass(frozen=True)
class ViewsReport:
    """What the views status on /diagnostics says: good (every view judges all it can), one
    line for the trainer, and the key-values behind it."""

    good: bool
    message: str
    values: dict[str, str]


def views_report(statuses: dict[str, ViewStatus], settings: ViewCheckSettings
                 ) -> ViewsReport:
    """The views status of `statuses` (view -> status)."""
    values: dict[str, str] = {}
    advice = []
    for view, status in statuses.items():
        values[f"{view}_seen"] = "yes" if status.seen else "no"
        off = status.off_axis_deg
        values[f"{view}_off_axis_deg"] = "" if off is None else f"{off:.0f}"
        values[f"{view}_cut_off"] = ", ".join(status.cut_off)
        values[f"{view}_advice"] = status.advice(settings)
        if values[f"{view}_advice"]:
            advice.append(f"{view} camera: {values[f'{view}_advice']}")
    if not advice:
        return ViewsReport(True, "both cameras see the whole athlete on their axes", values)
    return ViewsReport(False, "; ".join(advice), values)
