"""A squat session, frame by frame: measures, smoothing, phase, reps and their faults.

The pose node and the offline analysis both drive this with (time, front pose, side pose).
Given the rig's calibration, the measures come from the two views' landmarks triangulated
(squat_pose.stereo, squat_pose.geometry_3d) rather than from each view's image, for the whole
session: a baseline taken in one kind of measure is never compared with the other.
Imports no rclpy.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from squat_common.names import FORWARD_LEAN, HEEL_LIFT, KNEE_VALGUS, LATERAL_SHIFT
from squat_common.rig_calibration import RigCalibration
from squat_common.settings import group, setting
from squat_pose.faults import (
    NOISE,
    STANDING_EXTENSION,
    STANDING_MEASURES,
    Fault,
    FaultThresholds,
    RepFrames,
    heel_lift,
    knees_closing,
    rep_faults,
)
from squat_pose.geometry import HIP_WIDTH, TORSO, BodyScale, Measure, squat_measures
from squat_pose.geometry_3d import VIEW as VIEW_3D
from squat_pose.geometry_3d import measures_3d
from squat_pose.phases import Phase, PhaseParameters, Rep, RepCounter
from squat_pose.pose_estimation import PoseResult
from squat_pose.smoothing import MeasureSmoother, OneEuroParameters
from squat_pose.stereo import Landmarks3D, LiveTriangulator, StereoSettings
from squat_pose.triangulation import Observation
from squat_pose.view_check import (
    NotJudged,
    ViewCheckSettings,
    ViewMonitor,
    ViewStatus,
    judge,
)

KNEE_SIGNALS = (("knee_flexion_left", "knee_flexion_right"),
                ("projected_knee_flexion_left", "projected_knee_flexion_right"))


@dataclass(frozen=True)
class RepReport:
    """A finished rep with its extremes (degrees, torso lengths) and faults."""

    rep: Rep
    min_knee_angle_deg: float  # smallest hip-knee-ankle angle: 180 - deepest knee flexion
    max_trunk_lean_deg: float
    max_knee_valgus_deg: float
    depth: float  # lowest JointAngles.depth; NaN without a side view
    asymmetry_deg: float
    faults: tuple[Fault, ...]
    score: float | None = None
    # Faults no view could judge in this rep, with the reason (squat_pose.view_check).
    not_judged: tuple[NotJudged, ...] = ()
    # Where it differed most from the reference (squat_pose.scoring.Deviation), worst first.
    deviations: tuple = ()

    @property
    def fault_codes(self) -> list[str]:
        return [fault.code for fault in self.faults]


@dataclass(frozen=True)
class FrameAnalysis:
    """One frame's result: smoothed measures, phase, reps so far, and a rep if one ended."""

    t: float
    measures: dict[str, Measure]
    phase: Phase
    rep_count: int
    finished: RepReport | None
    active_faults: tuple[str, ...]
    # A rep in progress was dropped at this frame: the person had gone unseen this long (s).
    lost_rep_gap_s: float | None = None
    # How each camera sees the athlete now.
    views: dict[str, ViewStatus] = field(default_factory=dict)
    # The triangulated landmarks the measures came from (with a rig calibration only).
    landmarks_3d: Landmarks3D | None = None


@dataclass(frozen=True)
class AnalyzerSettings:
    """Everything tunable about the analysis; the parameters are pose_node's (phases.*,
    faults.*, min_visibility), applied while it runs."""

    phases: PhaseParameters = group(PhaseParameters)
    faults: FaultThresholds = group(FaultThresholds)
    smoothing: OneEuroParameters = field(default_factory=OneEuroParameters)  # 2D measures
    view_check: ViewCheckSettings = group(ViewCheckSettings)
    stereo: StereoSettings = group(StereoSettings)
    min_visibility: float = setting(
        0.5, "Landmarks less visible than this are not used for angles.", low=0.0, high=1.0)


def _extreme(series: list[tuple[float, float]],
             pick: Callable[[Iterable[float]], float] = max) -> float:
    return float(pick(v for _, v in series)) if series else float("nan")


class SteadyMinimum:
    """The lowest median over `window` values in a row seen so far: the athlete's straightest
    steady standing, which one noisy frame cannot set."""

    def __init__(self, window: int = 15) -> None:
        self._recent: deque[float] = deque(maxlen=window)
        self.value: float | None = None

    def add(self, value: float) -> None:
        self._recent.append(value)
        if len(self._recent) == self._recent.maxlen:
            steady = float(np.median(self._recent))
            self.value = steady if self.value is None else min(self.value, steady)


class SquatAnalyzer:
    """Feed frames in time order; each update returns that frame's analysis. With `rig`, the
    calibration of the front and side cameras, every measure is taken in 3D."""

    def __init__(self, settings: AnalyzerSettings | None = None,
                 rig: RigCalibration | None = None) -> None:
        self.settings = settings or AnalyzerSettings()
        self.rig = rig
        self._triangulator = LiveTriangulator(rig, self.settings.stereo) if rig else None
        self._torso = BodyScale(TORSO, min_visibility=self.settings.min_visibility)
        self._hips = BodyScale(HIP_WIDTH, min_visibility=self.settings.min_visibility)
        self._smoother = MeasureSmoother(self.settings.smoothing)
        self._counter = RepCounter(self.settings.phases)
        self._frames = RepFrames()
        self._standing: dict[str, deque[float]] = {name: deque(maxlen=60)
                                                   for name in STANDING_MEASURES}
        self._extension = SteadyMinimum()
        self._views = {view: ViewMonitor(view, self.settings.view_check)
                       for view in ("front", "side")}
        self.reports: list[RepReport] = []

    def apply(self, settings: AnalyzerSettings) -> None:
        """Use `settings` from the next frame on (a rep in progress is judged by them)."""
        if self.rig is not None and settings.stereo != self.settings.stereo:
            self._triangulator = LiveTriangulator(self.rig, settings.stereo)
        self.settings = settings
        self._torso.min_visibility = self._hips.min_visibility = settings.min_visibility
        self._counter.p = settings.phases
        for monitor in self._views.values():
            monitor.settings = settings.view_check

    @property
    def views(self) -> dict[str, ViewStatus]:
        """How each camera sees the athlete now."""
        return {view: monitor.status for view, monitor in self._views.items()}

    def update(self, t: float, front: PoseResult | None, side: PoseResult | None,
               frames_between: bool = False, side_t: float | None = None) -> FrameAnalysis:
        """Analyse the frame(s) captured at time t (seconds); None where a view saw nobody.
        `frames_between`: frames since the last update were skipped, not missing. `side_t`:
        the side frame's own capture time where it differs from t (3D brings it to t)."""
        standing = self._counter.phase == Phase.STANDING
        self._views["front"].update(front, standing)
        self._views["side"].update(side, standing)
        landmarks = None
        if self._triangulator is not None:
            landmarks = self._triangulator.update({
                "front": (t, self._observation("front", front)),
                "side": (t if side_t is None else side_t, self._observation("side", side))})
            raw = ({} if landmarks is None
                   else measures_3d(landmarks.points, landmarks.confidence))
        else:
            # Body lengths are the athlete's standing ones: folded, the body looks shorter.
            torso_px = self._torso.update("side", side, standing) if side is not None else None
            hips_px = self._hips.update("front", front, standing) if front is not None else None
            raw = squat_measures(front, side, hips_px, torso_px, self.settings.min_visibility)
        values = {name: m.value for name, m in raw.items()}
        # In 3D the landmarks are already smoothed (stereo.*); smoothing the angles taken from
        # them again doubled the lag (knee flexion RMSE 5.1 against 2.8 deg, bench_3d.py).
        smoothed_values = values if self._triangulator is not None else self._smoother(t, values)
        measures = {name: replace(m, value=smoothed_values[name]) for name, m in raw.items()}
        knee = self.knee_signal(smoothed_values)
        if standing:
            for name, recent in self._standing.items():
                if name in smoothed_values:
                    recent.append(smoothed_values[name])
            if knee is not None:
                self._extension.add(knee)
        self._frames.times_s.append(t)
        self._frames.values.append(smoothed_values)
        rep = self._counter.update(t, knee, frames_between)
        finished = self._report(rep) if rep is not None else None
        self._forget_before(self._counter.earliest_rep_start_s)
        views = self.views
        return FrameAnalysis(t, measures, self._counter.phase, len(self._counter.reps),
                             finished, self._active_faults(smoothed_values, views),
                             self._counter.lost_rep_gap_s, views, landmarks)

    def finish(self) -> RepReport | None:
        """End of the session: report a rep that was standing up but not yet settled."""
        rep = self._counter.finish()
        return self._report(rep) if rep is not None else None

    def knee_view(self, values: dict[str, float]) -> str:
        """The view knee_signal reads these values from."""
        if self.rig is not None:
            return VIEW_3D
        return "side" if any(name in values for name in KNEE_SIGNALS[0]) else "front"

    def _observation(self, view: str, pose: PoseResult | None) -> Observation | None:
        """A view's keypoints in the pixels of its calibration (a stream of another size is
        scaled to it)."""
        if pose is None:
            return None
        camera = self.rig.cameras[view]
        scale = np.array([camera.width / pose.width, camera.height / pose.height])
        return Observation(pose.pixels * scale, pose.visibility)

    @staticmethod
    def knee_signal(values: dict[str, float]) -> float | None:
        """The knee flexion phases are read from: the side view's, else the front's."""
        for names in KNEE_SIGNALS:
            present = [values[name] for name in names if name in values]
            if present:
                return max(present)
        return None

    def _standing_values(self) -> dict[str, float]:
        values = {}
        for name, recent in self._standing.items():
            if recent:
                median = float(np.median(recent))
                values[name] = median
                # The median absolute deviation, as a standard deviation (normal noise).
                values[f"{name}{NOISE}"] = 1.4826 * float(np.median(np.abs(
                    np.asarray(recent) - median)))
        if self._extension.value is not None:
            values[STANDING_EXTENSION] = self._extension.value
        return values

    def _active_faults(self, values: dict[str, float], views: dict[str, ViewStatus]
                       ) -> tuple[str, ...]:
        th = self.settings.faults
        _, unjudged = judge([], views, self.knee_view(values), self.settings.view_check)
        active = []
        standing = self._standing_values()
        if (knees_closing(values, standing) or 0.0) > th.knee_valgus:
            active.append(KNEE_VALGUS)
        if values.get("trunk_lean", -1e9) > th.forward_lean:
            active.append(FORWARD_LEAN)
        if "pelvis_shift" in values and abs(values["pelvis_shift"] - standing.get(
                "pelvis_shift", 0.0)) > th.lateral_shift:
            active.append(LATERAL_SHIFT)
        if (heel_lift(values, standing) or 0.0) > th.heel_lift:
            active.append(HEEL_LIFT)
        skip = {item.code for item in unjudged}
        return tuple(code for code in active if code not in skip)

    def _forget_before(self, t: float) -> None:
        # Frames are kept only while a rep may still need them: a session that stands for an
        # hour must not hold an hour of frames.
        drop = bisect.bisect_left(self._frames.times_s, t)
        if drop:
            del self._frames.times_s[:drop]
            del self._frames.values[:drop]

    def _report(self, rep: Rep) -> RepReport:
        frames = RepFrames()
        for t, values in zip(self._frames.times_s, self._frames.values, strict=True):
            if rep.start_s <= t <= rep.end_s:
                frames.times_s.append(t)
                frames.values.append(values)
        keep = [i for i, t in enumerate(self._frames.times_s) if t > rep.end_s]
        self._frames = RepFrames([self._frames.times_s[i] for i in keep],
                                 [self._frames.values[i] for i in keep])
        asymmetry = [(t, abs(v)) for t, v in frames.series("asymmetry")]
        knee_view = (VIEW_3D if self.rig is not None
                     else "side" if frames.series(*KNEE_SIGNALS[0]) else "front")
        faults, not_judged = judge(
            rep_faults(rep, frames, self._standing_values(), self.settings.faults,
                       self._triangulator is not None),
            self.views, knee_view, self.settings.view_check)
        report = RepReport(
            rep=rep,
            min_knee_angle_deg=180.0 - rep.peak_flexion_deg,
            max_trunk_lean_deg=_extreme(frames.series("trunk_lean")),
            max_knee_valgus_deg=_extreme(frames.series("knee_valgus_left",
                                                       "knee_valgus_right")),
            depth=_extreme(frames.series("depth"), min),
            asymmetry_deg=_extreme(asymmetry),
            faults=tuple(faults),
            not_judged=tuple(not_judged),
        )
        self.reports.append(report)
        return report
