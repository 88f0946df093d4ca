"""Squat phases and reps from a knee flexion signal: a state machine with hysteresis.

- STANDING -> DESCENT when flexion rises past `descent_start_deg`; the rep starts where
  flexion last left its standing level (the median of the last LEVEL_FRAMES standing frames):
  the last frame within its noise of it, or back within the rest band above it (three times the
  standing flexion's own noise, at least MIN_REST_BAND_DEG, at most `rest_band_deg`) after a
  twitch that went higher. A descent eases in, so a start where flexion crossed a band came
  late (0.13-0.3 s on the virtual athlete; a 1.25 s descent read 0.93 s, a false
  fast_descent). The level is the recent median, not the lowest standing value: a coach who
  stood 1 deg straighter for the first half second made every later frame "off rest", and
  the rep start moved by 0.75 s with a little JPEG noise.
- The bottom is the deepest point, confirmed once flexion has come back up by `turn_deg`;
  the phase is BOTTOM while flexion stays within `bottom_band_deg` of the deepest point so far,
  so pauses count as bottom time. A descent that goes on more than `bottom_band_deg` deeper
  than where the bottom seemed to start was only pausing (or a view's knee angle wobbling: a
  side camera 20 deg round read a 1.6 s descent as 0.5 s, a false fast_descent): the bottom
  is entered anew.
- ASCENT until flexion falls below `standing_max_deg`; the rep ends at the top (lockout), once
  flexion has stopped falling for `lockout_settle_s` or rises again by `lockout_settle_deg`.
- A dip that never reaches `min_rep_flexion_deg` is not a rep; sinking again during the ascent
  continues the same rep (a half rep back down).
- Out of view for longer than `lost_after_s`, or no frames at all for longer than
  `frame_gap_s` (a camera unplugged; pairs a busy pose node skipped do not count): the rep in
  progress is dropped and the phase is UNKNOWN until the person is back and standing.
Imports no rclpy.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import IntEnum

from squat_common.settings import setting

MIN_REST_BAND_DEG = 1.0  # a standing knee is never steadier than this, whatever the noise says
STANDING_NOISE_FRAMES = 60  # standing frames the noise is estimated over
LEVEL_FRAMES = 15  # recent standing frames the standing level is the median of (half a second)


class Phase(IntEnum):
    """Same numbers as squat_msgs/SquatState."""

    UNKNOWN = 0
    STANDING = 1
    DESCENT = 2
    BOTTOM = 3
    ASCENT = 4


@dataclass(frozen=True)
class PhaseParameters:
    """Thresholds on knee flexion and time; each is the pose_node parameter phases.<name>."""

    standing_max_deg: float = setting(
        25.0, "Knee flexion below which the athlete stands (the ascent ends).", unit="deg",
        low=0.0, high=90.0)
    rest_band_deg: float = setting(
        5.0, "A rep starts where flexion last left its standing level: at most this far "
        "above it (nearer when the athlete stands steady).",
        unit="deg", low=0.0, high=45.0)
    descent_start_deg: float = setting(
        35.0, "Knee flexion past which a descent begins.", unit="deg", low=0.0, high=120.0)
    min_rep_flexion_deg: float = setting(
        50.0, "A dip that never reaches this knee flexion is not a rep.", unit="deg",
        low=0.0, high=160.0)
    turn_deg: float = setting(
        8.0, "Rise back from the deepest point that confirms the bottom.", unit="deg",
        low=0.0, high=60.0)
    bottom_band_deg: float = setting(
        5.0, "The phase is BOTTOM while flexion stays this close to the deepest point.",
        unit="deg", low=0.0, high=45.0)
    lockout_settle_deg: float = setting(
        3.0, "The rep ends at the top once flexion rises again by this.", unit="deg",
        low=0.0, high=45.0)
    lockout_settle_s: float = setting(
        0.4, "The rep also ends at the top once flexion has stopped falling this long.",
        unit="s", low=0.0, high=10.0)
    settle_resolution_deg: float = setting(
        0.5, "Changes of flexion smaller than this count as standing still.", unit="deg",
        low=0.0, high=10.0)
    lost_after_s: float = setting(
        1.0, "Out of view longer than this: the rep in progress is dropped.", unit="s",
        low=0.0, high=60.0)
    frame_gap_s: float = setting(
        2.0, "No frames at all for longer than this (a camera lost; not pairs a busy pose "
        "node skipped): the rep in progress is dropped.", unit="s", low=0.0, high=60.0)

    def problems(self) -> list[str]:
        """Thresholds in an order the state machine cannot work with."""
        if self.standing_max_deg >= self.descent_start_deg:
            return [f"phases.standing_max_deg ({self.standing_max_deg}) must be below "
                    f"phases.descent_start_deg ({self.descent_start_deg})"]
        if self.descent_start_deg >= self.min_rep_flexion_deg:
            return [f"phases.descent_start_deg ({self.descent_start_deg}) must be below "
                    f"phases.min_rep_flexion_deg ({self.min_rep_flexion_deg})"]
        return []


@dataclass
class Rep:
    """One finished rep: times in seconds of the session clock."""

    index: int
    start_s: float
    bottom_s: float
    end_s: float
    bottom_entered_s: float
    bottom_left_s: float
    peak_flexion_deg: float
    lockout_flexion_deg: float

    @property
    def descent_s(self) -> float:
        return self.bottom_entered_s - self.start_s

    @property
    def pause_s(self) -> float:
        return self.bottom_left_s - self.bottom_entered_s

    @property
    def ascent_s(self) -> float:
        return self.end_s - self.bottom_left_s


@dataclass
class _Attempt:
    start_s: float
    peak_deg: float = 0.0
    peak_s: float = 0.0
    bottom_entered_s: float | None = None
    bottom_entered_deg: float = 0.0
    bottom_left_s: float | None = None
    top_deg: float = float("inf")
    top_s: float = 0.0
    top_mark_deg: float = float("inf")  # flexion when top_s was last set


class RepCounter:
    """Feed (time, knee flexion or None) per frame; read the phase and the finished reps."""

    def __init__(self, parameters: PhaseParameters = PhaseParameters()) -> None:
        self.p = parameters
        self.phase = Phase.UNKNOWN
        self.reps: list[Rep] = []
        self._attempt: _Attempt | None = None
        self._last_seen_s: float | None = None
        self._last_at_rest_s = 0.0
        self._above_band = False
        # Set by the update that dropped a rep in progress: how long it went unseen (s).
        self.lost_rep_gap_s: float | None = None
        self._standing_recent: deque[float] = deque(maxlen=STANDING_NOISE_FRAMES)
        self._off_level: deque[float] = deque(maxlen=LEVEL_FRAMES)

    def _standing_level(self, flexion: float) -> tuple[float, float]:
        """The standing level (deg) and how far above it flexion may be and still be at rest."""
        recent = list(self._standing_recent)
        if not recent:
            return flexion, self.p.rest_band_deg
        level = _median(recent[-LEVEL_FRAMES:])
        if len(recent) < LEVEL_FRAMES:
            return level, self.p.rest_band_deg
        median = _median(recent)
        # The median absolute deviation, as a standard deviation (normal noise).
        noise = 1.4826 * _median([abs(v - median) for v in recent])
        return level, min(self.p.rest_band_deg, max(MIN_REST_BAND_DEG, 3.0 * noise))

    def _at_rest(self, t: float, flexion: float) -> None:
        """Note a standing frame: when it leaves, or is back at, the standing level."""
        level, band = self._standing_level(flexion)
        above = flexion > level + band
        # Within one noise deviation of the level (band / 3) is at it: a steady signal
        # creeps a hair above its own median for seconds.
        if flexion <= level + band / 3.0 or (self._above_band and not above):
            self._last_at_rest_s = t
        self._above_band = above
        if not above:
            self._standing_recent.append(flexion)
            self._off_level.clear()
            return
        # Only frames at rest make the level (a departure's frames would drag it up), but an
        # athlete who stands still elsewhere (feet moved, knees softer) has a new level.
        self._off_level.append(flexion)
        if len(self._off_level) == LEVEL_FRAMES and \
                max(self._off_level) - min(self._off_level) <= band:
            self._standing_recent.clear()
            self._standing_recent.extend(self._off_level)
            self._off_level.clear()
            self._last_at_rest_s, self._above_band = t, False

    def update(self, t: float, flexion: float | None, frames_between: bool = False
               ) -> Rep | None:
        """Advance to time t; returns the rep that ended at this frame, if one did.
        `frames_between`: frames came since the last update that were not analysed (a busy
        analyser skipped them), so a gap is not the person or a camera gone."""
        p = self.p
        self.lost_rep_gap_s = None
        gap = t - self._last_seen_s if self._last_seen_s is not None else 0.0
        unseen = gap > p.lost_after_s if flexion is None else (
            gap > p.frame_gap_s and not frames_between)
        if unseen:
            # Nobody in view, or no frames at all (a camera unplugged): a rep in progress would
            # be judged on what is left of it, so it is dropped.
            if self._attempt is not None:
                self.lost_rep_gap_s = gap
            self.phase, self._attempt = Phase.UNKNOWN, None
            if flexion is None:
                self._last_seen_s = None
        if flexion is None:
            return None
        self._last_seen_s = t
        if self.phase == Phase.UNKNOWN:
            if flexion < p.standing_max_deg:
                self._stand(t, flexion)
            return None
        if self.phase == Phase.STANDING:
            if flexion < p.descent_start_deg:
                self._at_rest(t, flexion)
                return None
            self._attempt = _Attempt(start_s=self._last_at_rest_s)
            self.phase = Phase.DESCENT
        attempt = self._attempt
        assert attempt is not None
        if flexion > attempt.peak_deg:
            attempt.peak_deg, attempt.peak_s = flexion, t
        if self.phase in (Phase.DESCENT, Phase.BOTTOM):
            return self._descending(t, flexion, attempt)
        return self._ascending(t, flexion, attempt)

    def _descending(self, t: float, flexion: float, attempt: _Attempt) -> Rep | None:
        p = self.p
        if self.phase == Phase.BOTTOM and flexion > attempt.bottom_entered_deg + p.bottom_band_deg:
            self.phase = Phase.DESCENT
            attempt.bottom_entered_s = attempt.bottom_left_s = None
        deep_enough = attempt.peak_deg >= p.min_rep_flexion_deg
        near_peak = flexion >= attempt.peak_deg - p.bottom_band_deg
        if deep_enough and near_peak:
            if self.phase == Phase.DESCENT and flexion < attempt.peak_deg:
                attempt.bottom_entered_s = attempt.peak_s
                attempt.bottom_entered_deg = attempt.peak_deg
                self.phase = Phase.BOTTOM
            elif self.phase == Phase.DESCENT:
                return None
            attempt.bottom_left_s = t
            return None
        if flexion <= attempt.peak_deg - p.turn_deg:
            if not deep_enough:
                if flexion < p.standing_max_deg:  # a dip, not a rep
                    self._attempt = None
                    self._stand(t, flexion)
                return None
            if attempt.bottom_entered_s is None:
                attempt.bottom_entered_s = attempt.peak_s
            attempt.bottom_left_s = attempt.bottom_left_s or attempt.peak_s
            self.phase = Phase.ASCENT
            attempt.top_deg = attempt.top_mark_deg = flexion
            attempt.top_s = t
        return None

    def _ascending(self, t: float, flexion: float, attempt: _Attempt) -> Rep | None:
        p = self.p
        if flexion < attempt.top_deg:
            # A smoothed signal creeps towards its final value for ever: only a real drop
            # restarts the settle time, or the rep would never end.
            if flexion < attempt.top_mark_deg - p.settle_resolution_deg:
                attempt.top_s, attempt.top_mark_deg = t, flexion
            attempt.top_deg = flexion
            if t - attempt.top_s < p.lockout_settle_s:
                return None
        if attempt.top_deg >= p.standing_max_deg:
            if flexion > attempt.top_deg + p.turn_deg:  # sinking again: same rep goes on
                self.phase = Phase.DESCENT
                attempt.bottom_entered_s = attempt.bottom_left_s = None
            return None
        settled = t - attempt.top_s >= p.lockout_settle_s
        if flexion < attempt.top_deg + p.lockout_settle_deg and not settled:
            return None
        return self._finish(attempt)

    def bottom_between(self, start_s: float, end_s: float) -> tuple[float, float] | None:
        """When the bottom of the rep (finished or rising now) that reached it between
        `start_s` and `end_s` was entered and left; None if no rep did."""
        bottoms = [(rep.bottom_entered_s, rep.bottom_left_s) for rep in reversed(self.reps)]
        attempt = self._attempt
        if attempt and None not in (attempt.bottom_entered_s, attempt.bottom_left_s):
            bottoms.insert(0, (attempt.bottom_entered_s, attempt.bottom_left_s))
        return next((bottom for bottom in bottoms if start_s <= bottom[0] <= end_s), None)

    @property
    def earliest_rep_start_s(self) -> float:
        """No rep still to be reported can start before this time (frames older are done with)."""
        return self._attempt.start_s if self._attempt is not None else self._last_at_rest_s

    def finish(self) -> Rep | None:
        """End of input: a rep that is standing up but not yet settled counts."""
        attempt = self._attempt
        if self.phase == Phase.ASCENT and attempt and attempt.top_deg < self.p.standing_max_deg:
            return self._finish(attempt)
        return None

    def _finish(self, attempt: _Attempt) -> Rep:
        rep = Rep(index=len(self.reps) + 1, start_s=attempt.start_s, bottom_s=attempt.peak_s,
                  end_s=attempt.top_s, bottom_entered_s=attempt.bottom_entered_s or attempt.peak_s,
                  bottom_left_s=attempt.bottom_left_s or attempt.peak_s,
                  peak_flexion_deg=attempt.peak_deg, lockout_flexion_deg=attempt.top_deg)
        self.reps.append(rep)
        self._attempt = None
        self._stand(attempt.top_s, attempt.top_deg)
        return rep

    def _stand(self, t: float, flexion: float) -> None:
        self.phase = Phase.STANDING
        self._last_at_rest_s, self._above_band = t, False
        self._off_level.clear()


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
