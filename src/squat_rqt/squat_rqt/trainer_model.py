"""What the trainer view shows, as plain data: the live rep count, phase and score, the angle
curves against the reference over a sliding window, the finished reps (newest first, as CSV),
the coach's feedback, and the view's settings. Imports neither Qt nor rclpy.
"""

from __future__ import annotations

import csv
import io
import math
from collections import deque
from dataclasses import asdict, dataclass, field, fields

# The curves the plot can draw; the knee is always drawn, the others on a toggle.
CHANNELS = ("knee_flexion", "hip_flexion", "trunk_lean")
CSV_COLUMNS = ("rep", "descent_s", "ascent_s", "knee_angle_at_bottom_deg", "knee_valgus_deg",
               "trunk_lean_deg", "score", "faults")


@dataclass(frozen=True)
class RepRow:
    """One finished rep as the table shows it."""

    index: int
    descent_s: float
    ascent_s: float
    min_knee_angle_deg: float
    max_knee_valgus_deg: float
    max_trunk_lean_deg: float
    score: float  # NaN: not scored
    faults: tuple[str, ...] = ()  # "knee valgus (medium)"


@dataclass(frozen=True)
class FeedbackEntry:
    """The coach's words on a rep (or an answer), with the documents they rest on."""

    rep_index: int  # 0 for an answer to a question
    text: str
    sources: tuple[str, ...] = ()


@dataclass
class TrainerSettings:
    """What a trainer sets in the view and rqt keeps between sessions."""

    namespace: str = ""  # of the squat coach graph, "" for the root
    plot_window_s: float = 10.0
    show_hip: bool = False
    show_trunk: bool = False

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> TrainerSettings:
        """Settings from saved values; a value of the wrong kind keeps the default."""
        settings = cls()
        for item in fields(cls):
            value = values.get(item.name)
            default = getattr(settings, item.name)
            if isinstance(default, bool):
                if isinstance(value, bool) or value in ("true", "false"):
                    setattr(settings, item.name, value in (True, "true"))
            elif isinstance(default, float):
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    continue
                if math.isfinite(number) and 2.0 <= number <= 120.0:
                    setattr(settings, item.name, number)
            elif isinstance(value, str):
                setattr(settings, item.name, value.strip().rstrip("/"))
        return settings


def _number(value: float, form: str) -> str:
    return "-" if not math.isfinite(value) else f"{value:{form}}"


@dataclass
class TrainerModel:
    """Everything the view shows; fed from the ROS side, read by the widget."""

    settings: TrainerSettings = field(default_factory=TrainerSettings)
    rep_count: int = 0
    phase: str = "UNKNOWN"
    frame_score: float = math.nan
    reference_name: str = ""
    max_samples: int = 120 * 60  # two minutes at 60 fps: more than any plot window

    def __post_init__(self) -> None:
        self._times: deque[float] = deque(maxlen=self.max_samples)
        self._athlete: dict[str, deque[float]] = {c: deque(maxlen=self.max_samples)
                                                  for c in CHANNELS}
        self._reference: dict[str, deque[float]] = {c: deque(maxlen=self.max_samples)
                                                    for c in CHANNELS}
        self.reps: dict[int, RepRow] = {}
        self.feedback: list[FeedbackEntry] = []

    def add_state(self, t: float, phase: str, rep_count: int, frame_score: float,
                  athlete: dict[str, float], reference: dict[str, float]) -> None:
        """One analysed pair at time t (s)."""
        if self._times and t < self._times[-1]:
            self.clear_curves()  # time went back: a replay restarted, or a new session
        self.phase, self.rep_count, self.frame_score = phase, rep_count, frame_score
        self._times.append(t)
        for channel in CHANNELS:
            self._athlete[channel].append(athlete.get(channel, math.nan))
            self._reference[channel].append(reference.get(channel, math.nan))

    def clear_curves(self) -> None:
        self._times.clear()
        for curves in (self._athlete, self._reference):
            for values in curves.values():
                values.clear()

    def curve(self, channel: str) -> tuple[list[float], list[float], list[float]]:
        """(times, athlete, reference) of `channel` over the last plot window."""
        if not self._times:
            return [], [], []
        start = self._times[-1] - self.settings.plot_window_s
        keep = [i for i, t in enumerate(self._times) if t >= start]
        times = [self._times[i] for i in keep]
        return (times, [self._athlete[channel][i] for i in keep],
                [self._reference[channel][i] for i in keep])

    def visible_channels(self) -> tuple[str, ...]:
        return tuple(c for c in CHANNELS if c == "knee_flexion"
                     or (c == "hip_flexion" and self.settings.show_hip)
                     or (c == "trunk_lean" and self.settings.show_trunk))

    def add_rep(self, row: RepRow) -> None:
        self.reps[row.index] = row

    def rows(self) -> list[RepRow]:
        """The finished reps, newest first."""
        return [self.reps[index] for index in sorted(self.reps, reverse=True)]

    @property
    def last_score(self) -> float:
        rows = self.rows()
        return rows[0].score if rows else math.nan

    def add_feedback(self, entry: FeedbackEntry) -> None:
        self.feedback.append(entry)

    def csv_text(self) -> str:
        """The rep table as CSV, oldest rep first."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in reversed(self.rows()):
            writer.writerow([row.index, _number(row.descent_s, ".2f"),
                             _number(row.ascent_s, ".2f"),
                             _number(row.min_knee_angle_deg, ".1f"),
                             _number(row.max_knee_valgus_deg, ".1f"),
                             _number(row.max_trunk_lean_deg, ".1f"),
                             _number(row.score, ".1f"), "; ".join(row.faults)])
        return out.getvalue()


def score_colour(score: float) -> tuple[int, int, int]:
    """The colour band of a rep score (RGB): green, amber, red; grey when not scored."""
    if not math.isfinite(score):
        return (150, 150, 150)
    return (70, 170, 90) if score >= 80 else (230, 170, 40) if score >= 60 else (210, 70, 60)
