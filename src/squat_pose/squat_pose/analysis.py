"""A squat session, frame by frame: measures, smoothing, phase, reps and their faults.

The pose node and the offline analysis both drive this with (time, front pose, side pose).
Given the rig's calibration, the measures come from the two views' landmarks triangulated
(squat_pose.stereo, squat_pose.geometry_3d) rather than from each view's image, for the whole
session; each view's own measures are kept beside them, for the faults 3D cannot judge (a body
part one camera does not see): a baseline taken in one kind of measure is never compared with
the other.
Imports no rclpy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from squat_common.names import (
    FAST_DESCENT,
    FORWARD_LEAN,
    HEEL_LIFT,
    INSUFFICIENT_DEPTH,
    KNEE_VALGUS,
    LATERAL_SHIFT,
)
from squat_common.rig_calibration import RigCalibration
from squat_common.settings import group, setting
from squat_pose.faults import (
    FAULT_MEASURES,
    MOVED_FROM_STANDING,
    Fault,
    FaultThresholds,
    RepFrames,
    heel_lift,
    knees_closing,
    rep_faults,
    unsteady_baseline,
)
from squat_pose.geometry import (
    ANKLES,
    HIP_WIDTH,
    TORSO,
    BodyScale,
    Measure,
    StandingPoint,
    squat_measures,
)
from squat_pose.geometry_3d import MEASURES_3D, measures_3d
from squat_pose.geometry_3d import VIEW as VIEW_3D
from squat_pose.measure_track import KNEE_SIGNALS, MeasureTrack, knee_signal
from squat_pose.phases import Phase, PhaseParameters, Rep, RepCounter
from squat_pose.pose_estimation import PoseResult
from squat_pose.smoothing import OneEuroParameters
from squat_pose.stereo import Landmarks3D, LiveTriangulator, StereoSettings
from squat_pose.triangulation import Observation
from squat_pose.view_check import (
    NotJudged,
    ViewCheckSettings,
    ViewMonitor,
    ViewStatus,
    judge,
    judging_view,
)

# The faults a frame can show as they happen, in the order they are listed (depth is a rep's).
LIVE_FAULTS = (KNEE_VALGUS, FORWARD_LEAN, LATERAL_SHIFT, HEEL_LIFT)
# Faults left to one camera in 3D wherever it may judge them, with what a rep says why.
SEEN_BETTER_BY_ONE_VIEW = {
    HEEL_LIFT: "3d: the front camera only guesses the heel behind the foot; the side camera "
               "sees it side-on",
    INSUFFICIENT_DEPTH: "3d: the front camera sees the thigh end-on at the bottom; the side "
                        "camera sees it side-on",
    FAST_DESCENT: "3d: at the bottom the front camera sees the thigh end-on and misplaces the "
                  "knee; the side camera sees when the knee stops bending",
    LATERAL_SHIFT: "3d: the side camera's hips move back and forth as the body folds, and the "
                   "triangulated hips take some of it sideways; the front camera, facing the "
                   "athlete, sees the shift itself",
}


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
        self._feet = StandingPoint(ANKLES, min_visibility=self.settings.min_visibility)
        # In 3D the landmarks are already smoothed (stereo.*); smoothing the angles taken from
        # them again doubled the lag (knee flexion RMSE 5.1 against 2.8 deg, bench_3d.py).
        self._track = MeasureTrack(None if rig else self.settings.smoothing)
        self._flat = MeasureTrack(self.settings.smoothing) if rig else None
        self._counter = RepCounter(self.settings.phases)
        # The side view's own reps, to time a rep's bottom by where 3D misplaces the knee.
        self._side_counter = RepCounter(self.settings.phases) if rig else None
        self._views = {view: ViewMonitor(view, self.settings.view_check)
                       for view in ("front", "side")}
        self.reports: list[RepReport] = []

    def apply(self, settings: AnalyzerSettings) -> None:
        """Use `settings` from the next frame on (a rep in progress is judged by them)."""
        if self.rig is not None and settings.stereo != self.settings.stereo:
            self._triangulator = LiveTriangulator(self.rig, settings.stereo)
        self.settings = settings
        self._torso.min_visibility = self._hips.min_visibility = settings.min_visibility
        self._feet.min_visibility = settings.min_visibility
        self._counter.p = settings.phases
        if self._side_counter is not None:
            self._side_counter.p = settings.phases
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
        # Each view's own measures: all there is without a rig, the fallback with one. Body
        # lengths are the athlete's standing ones: folded, the body looks shorter.
        torso_px = self._torso.update("side", side, standing) if side is not None else None
        feet_px = None
        if front is not None:
            self._hips.update("front", front, standing)
            feet_px = self._feet.update(front, standing)
        flat = squat_measures(front, side, self._hips.vector("front"), torso_px,
                              self.settings.min_visibility, feet_px)
        landmarks = None
        if self._triangulator is not None:
            landmarks = self._triangulator.update({
                "front": (t, self._observation("front", front)),
                "side": (t if side_t is None else side_t, self._observation("side", side))})
            raw = ({} if landmarks is None
                   else measures_3d(landmarks.points, landmarks.confidence))
        else:
            raw = flat
        values = self._track.add(t, {name: m.value for name, m in raw.items()}, standing)
        measures = {name: replace(m, value=values[name]) for name, m in raw.items()}
        flat_values = None
        if self._flat is not None:
            flat_values = self._flat.add(t, {name: m.value for name, m in flat.items()},
                                         standing)
            # What 3D lacks this frame, as the view that sees it measured it (its view says so).
            measures.update({name: replace(m, value=flat_values[name])
                             for name, m in flat.items() if name in MEASURES_3D
                             and name not in measures})
        if self._side_counter is not None:
            self._side_counter.update(t, knee_signal(flat_values, KNEE_SIGNALS[:1]),
                                      frames_between)
        rep = self._counter.update(t, knee_signal(values), frames_between)
        finished = self._report(rep) if rep is not None else None
        start = self._counter.earliest_rep_start_s
        for track in (self._track, self._flat):
            if track is not None:
                track.forget_before(start)
        views = self.views
        return FrameAnalysis(t, measures, self._counter.phase, len(self._counter.reps),
                             finished, self._active_faults(values, flat_values, views),
                             self._counter.lost_rep_gap_s, views, landmarks)

    def finish(self) -> RepReport | None:
        """End of the session: report a rep that was standing up but not yet settled."""
        rep = self._counter.finish()
        return self._report(rep) if rep is not None else None

    def knee_view(self, values: dict[str, float]) -> str:
        """The view knee_signal reads these values from."""
        if self.rig is not None:
            return VIEW_3D
        return _flat_knee_view(any(name in values for name in KNEE_SIGNALS[0]))

    def _observation(self, view: str, pose: PoseResult | None) -> Observation | None:
        """A view's keypoints in the pixels of its calibration (a stream of another size is
        scaled to it)."""
        if pose is None:
            return None
        camera = self.rig.cameras[view]
        scale = np.array([camera.width / pose.width, camera.height / pose.height])
        return Observation(pose.pixels * scale, pose.visibility)

    def _active_faults(self, values: dict[str, float], flat_values: dict[str, float] | None,
                       views: dict[str, ViewStatus]) -> tuple[str, ...]:
        """The faults showing this frame. With a rig each is read as a rep is judged: from 3D
        where its landmarks were triangulated this frame, else from the view that sees it
        (`flat_values`), so the far knee 3D never places still shows a valgus live."""
        showing = self._showing(values, self._track.standing_values(), self.knee_view(values),
                                views)
        if flat_values is not None:
            untriangulated = {code for code, names in FAULT_MEASURES.items()
                              if any(name not in values for name in names)}
            untriangulated |= {item.code for item in self._seen_better_by_one_view(views)}
            knee_view = _flat_knee_view(any(name in flat_values for name in KNEE_SIGNALS[0]))
            flat = self._showing(flat_values, self._flat.standing_values(), knee_view, views)
            showing = (showing - untriangulated) | (flat & untriangulated)
        return tuple(code for code in LIVE_FAULTS if code in showing)

    def _showing(self, values: dict[str, float], standing: dict[str, float], knee_view: str,
                 views: dict[str, ViewStatus]) -> set[str]:
        """The faults these values show against this standing, where their view judges them."""
        th = self.settings.faults
        _, unjudged = judge([], views, knee_view, self.settings.view_check)
        active = set()
        if (knees_closing(values, standing) or 0.0) > th.knee_valgus:
            active.add(KNEE_VALGUS)
        if values.get("trunk_lean", -1e9) > th.forward_lean:
            active.add(FORWARD_LEAN)
        if "pelvis_shift" in values and abs(values["pelvis_shift"] - standing.get(
                "pelvis_shift", 0.0)) > th.lateral_shift:
            active.add(LATERAL_SHIFT)
        if (heel_lift(values, standing) or 0.0) > th.heel_lift:
            active.add(HEEL_LIFT)
        skip = {item.code for item in unjudged}
        return {code for code in active
                if code not in skip and not unsteady_baseline(code, standing, th)}

    def _report(self, rep: Rep) -> RepReport:
        frames = self._track.take(rep)
        if self._side_counter is not None and FAST_DESCENT in {
                item.code for item in self._seen_better_by_one_view(self.views)}:
            rep = _bottom_timed_by_side(rep, self._side_counter)
        knee_view = (VIEW_3D if self._triangulator is not None
                     else _flat_knee_view(bool(frames.series(*KNEE_SIGNALS[0]))))
        faults, not_judged = self._judge(rep, frames, self._track.standing_values(), knee_view)
        if self._flat is not None:
            flat_frames = self._flat.take(rep)
            if not_judged:
                faults, not_judged = self._from_one_view(rep, flat_frames, faults, not_judged)
        asymmetry = [(t, abs(v)) for t, v in frames.series("asymmetry")]
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

    def _judge(self, rep: Rep, frames: RepFrames, standing: dict[str, float],
               knee_view: str) -> tuple[list[Fault], list[NotJudged]]:
        """The rep's faults its views can judge, and those they cannot with the reason: a view
        off its axis or cut off (judge), or a baseline that shook too much to judge against."""
        th = self.settings.faults
        faults, not_judged = judge(rep_faults(rep, frames, standing, th), self.views, knee_view,
                                   self.settings.view_check)
        if knee_view == VIEW_3D:
            not_judged += _not_triangulated(frames, {item.code for item in not_judged})
            not_judged += [item for item in self._seen_better_by_one_view(self.views)
                           if item.code not in {known.code for known in not_judged}]
        unjudged = {item.code for item in not_judged}
        faults = [fault for fault in faults if fault.code not in unjudged]
        for code in MOVED_FROM_STANDING:
            if code not in unjudged and (why := unsteady_baseline(code, standing, th)):
                view, _ = judging_view(code, knee_view)
                not_judged.append(NotJudged(code, f"{view} camera: {why}"))
                faults = [fault for fault in faults if fault.code != code]
        return faults, not_judged

    def _seen_better_by_one_view(self, views: dict[str, ViewStatus]) -> list[NotJudged]:
        """The faults one camera sees better than 3D, where it may judge them: 3D reads them
        from points the other camera places worst.

        The heel: the front camera only guesses it behind the foot, and its guess halves the
        lift triangulated (virtual athlete, default rig, MediaPipe: a 4 cm lift read 0.065
        torso lengths in 3D and was missed, 0.095 from the side). Depth: at the bottom the
        front camera sees the thigh end-on and misplaces the knee's height (a valgus rep 1 deg
        above parallel read 15 deg in 3D, 3 deg from the side, with the cameras 0.5 m high;
        7 and 2 deg at 1 m); only near side-on, though (view_check.
        side_depth_in_3d_max_off_axis_deg), as the side view's thigh steepens further round.
        The descent's end, there too: a valgus rep's 3D knee flexion stopped bending 0.2 s
        early and fell 10 deg while the truth bent on (yaw +10: a 1.5 s descent read 0.93 s,
        a false fast descent); the side view's bent on with it. Lateral shift: 3D may judge
        it only with the front camera facing the athlete (view_check.judge), and that camera
        sees the shift itself: with the cameras 1.5 m high a clean rep read 0.20 hip widths
        in 3D against a 0.15 limit, and no false shift from the front camera in any cell of
        bench_view_check.py --calibrated."""
        settings = self.settings.view_check
        # Each of these faults has its own view whatever the knee's (view_check.FAULT_VIEWS).
        _, unjudged = judge([], views, "side", settings)
        refused = {item.code for item in unjudged}
        off = views["side"].off_axis_deg if "side" in views else None
        if off is not None and off > settings.side_depth_in_3d_max_off_axis_deg:
            refused |= {INSUFFICIENT_DEPTH, FAST_DESCENT}
        return [NotJudged(code, reason) for code, reason in SEEN_BETTER_BY_ONE_VIEW.items()
                if code not in refused]

    def _from_one_view(self, rep: Rep, frames: RepFrames, faults: list[Fault],
                       not_judged: list[NotJudged]) -> tuple[list[Fault], list[NotJudged]]:
        """The faults 3D could not judge, judged by the view that sees them, where one does
        (with that view and its confidence); the rest still not judged, with both reasons."""
        flat_faults, flat_unjudged = self._judge(
            rep, frames, self._flat.standing_values(),
            _flat_knee_view(bool(frames.series(*KNEE_SIGNALS[0]))))
        still = {item.code: item.reason for item in flat_unjudged}
        judged = {item.code for item in not_judged if item.code not in still}
        return ([*faults, *(fault for fault in flat_faults if fault.code in judged)],
                [item if still[item.code] == item.reason else
                 NotJudged(item.code, f"{item.reason}; {still[item.code]}")
                 for item in not_judged if item.code in still])


def _bottom_timed_by_side(rep: Rep, side: RepCounter) -> Rep:
    """`rep` with its bottom where the side view's knee flexion reached it, if the side view
    saw the rep's bottom; its start and end stay 3D's."""
    bottom = side.bottom_between(rep.start_s, rep.end_s)
    if bottom is None:
        return rep
    entered, left = bottom
    return replace(rep, bottom_entered_s=entered, bottom_left_s=min(max(left, entered),
                                                                     rep.end_s))


def _not_triangulated(frames: RepFrames, unjudged: set[str]) -> list[NotJudged]:
    """The faults 3D cannot judge in this rep because the landmarks they are read from were
    triangulated in under half of its frames (one view's point too far off the other's: at
    the default rig the far knee, placed behind the near one from the side, in every frame):
    left to the view that sees them. Without this a 15 deg valgus rep read clean there."""
    found = []
    for code, names in FAULT_MEASURES.items():
        if code in unjudged:
            continue
        measured = sum(all(name in values for name in names) for values in frames.values)
        if measured < 0.5 * len(frames.values):
            found.append(NotJudged(code, f"3d: {', '.join(names)} triangulated in {measured} "
                                         f"of {len(frames.values)} frames"))
    return found


def _flat_knee_view(side_knee_measured: bool) -> str:
    """The view 2D knee measures come from: the side one when it measured the knee."""
    return "side" if side_knee_measured else "front"
