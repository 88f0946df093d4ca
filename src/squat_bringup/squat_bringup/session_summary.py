"""What `coach run` tells the athlete: the status while it waits, a line per rep with its
feedback, and the session summary. Plain data in, text out; imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RepLine:
    """One finished rep as the session shows it."""

    index: int
    min_knee_angle_deg: float
    descent_s: float
    ascent_s: float
    score: float  # NaN: not scored (no reference, or no view that the score uses)
    faults: tuple[tuple[str, str], ...] = ()  # (code, severity name)
    not_judged: tuple[tuple[str, str], ...] = ()  # (code, why no camera could judge it)


@dataclass(frozen=True)
class FeedbackLine:
    """The coach's words on one rep."""

    rep_index: int
    text: str
    sources: tuple[str, ...] = ()


@dataclass
class WaitStatus:
    """What the session is still waiting for before the athlete's reps count."""

    cameras: dict[str, str] = field(default_factory=dict)  # camera name -> state
    index: str = "starting"
    seen: dict[str, bool] = field(default_factory=lambda: {"front": False, "side": False})
    views: str = ""  # what to move so each camera judges all it can; '' when nothing

    def line(self) -> str:
        """One status line, e.g. 'cameras front up, side up | index ready | athlete seen:
        front yes, side no | side camera: feet cut off, tilt down or move back'."""
        cameras = ", ".join(f"{name} {state}" for name, state in sorted(self.cameras.items()))
        seen = ", ".join(f"{view} {'yes' if yes else 'no'}" for view, yes in self.seen.items())
        return (f"cameras {cameras or 'starting'} | knowledge index {self.index} | "
                f"athlete seen: {seen}" + (f" | {self.views}" if self.views else ""))


def view_lines(values: dict[str, str]) -> list[str]:
    """What pose_node's views status says of each camera (its <view>_* values), a line each:
    what it sees and, where it cannot judge all it should, what to move."""
    lines = []
    for view in ("front", "side"):
        if values.get(f"{view}_seen") != "yes":
            lines.append(f"{view} camera: no athlete seen -> stand where it sees you")
            continue
        cut = values.get(f"{view}_cut_off", "")
        seen = f"{cut} out of the frame" if cut else "whole body in the frame"
        off = values.get(f"{view}_off_axis_deg", "")
        angle = f", athlete {off} deg off its axis" if off else ""
        advice = values.get(f"{view}_advice", "")
        lines.append(f"{view} camera: {seen}{angle}" + (f" -> {advice}" if advice else " (good)"))
    return lines


def _number(value: float, form: str, unit: str = "") -> str:
    return "-" if not math.isfinite(value) else f"{value:{form}}{unit}"


def rep_text(rep: RepLine) -> str:
    """The one line of a finished rep."""
    faults = ", ".join(f"{code.replace('_', ' ')} ({severity})" for code, severity in rep.faults)
    return (f"rep {rep.index}: knee {_number(rep.min_knee_angle_deg, '.0f', ' deg')} at the "
            f"bottom, down {_number(rep.descent_s, '.1f', ' s')}, up "
            f"{_number(rep.ascent_s, '.1f', ' s')}, score {_number(rep.score, '.0f')}, faults: "
            f"{faults or 'none'}")


def not_judged_text(rep: RepLine) -> list[str]:
    """Under a rep's line, the faults no camera could judge, grouped by why."""
    by_reason: dict[str, list[str]] = {}
    for code, reason in rep.not_judged:
        by_reason.setdefault(reason, []).append(code.replace("_", " "))
    return [f"  not judged: {', '.join(codes)} ({reason})" for reason, codes in by_reason.items()]


def feedback_text(feedback: FeedbackLine) -> list[str]:
    """The coach's words on a rep, indented under its line, then where they come from."""
    lines = [f"  coach: {line}" for line in feedback.text.strip().splitlines() if line.strip()]
    if feedback.sources:
        lines.append(f"  sources: {', '.join(feedback.sources)}")
    return lines


@dataclass
class SessionSummary:
    """The reps and feedback of one session, in the order they came; with `max_reps`, the
    first that many (a rep begun while the last one's feedback came is not the session's)."""

    max_reps: int | None = None
    reps: dict[int, RepLine] = field(default_factory=dict)
    feedback: dict[int, FeedbackLine] = field(default_factory=dict)

    @property
    def full(self) -> bool:
        """The session has all the reps it asked for."""
        return self.max_reps is not None and len(self.reps) >= self.max_reps

    def add_rep(self, rep: RepLine) -> bool:
        """Keep a rep; False when it was already known (a repeated message) or is one too
        many."""
        if rep.index in self.reps or self.full:
            return False
        self.reps[rep.index] = rep
        return True

    def add_feedback(self, feedback: FeedbackLine) -> bool:
        """Keep a rep's feedback; False when it was already known or its rep is not kept."""
        index = feedback.rep_index
        if index in self.feedback or (index not in self.reps and self.full):
            return False
        self.feedback[feedback.rep_index] = feedback
        return True

    @property
    def waiting_for_feedback(self) -> list[int]:
        """Reps without feedback yet."""
        return [index for index in self.reps if index not in self.feedback]

    def lines(self, log_folder: str | None = None, bag: str | None = None) -> list[str]:
        """The session summary."""
        scores = [r.score for r in self.reps.values() if math.isfinite(r.score)]
        faulty: dict[str, list[int]] = {}
        for rep in self.reps.values():
            for code, _ in rep.faults:
                faulty.setdefault(code, []).append(rep.index)
        lines = [f"session: {len(self.reps)} rep{'s' if len(self.reps) != 1 else ''}, mean "
                 f"score {_number(sum(scores) / len(scores), '.0f') if scores else '-'}"
                 f" ({len(scores)} scored), feedback on {len(self.feedback)}"]
        if faulty:
            lines += [f"  {code.replace('_', ' ')}: rep{'s' if len(reps) > 1 else ''} "
                      f"{', '.join(map(str, reps))}" for code, reps in sorted(faulty.items())]
        elif self.reps:
            lines.append("  no faults")
        if bag:
            lines.append(f"  bag: {bag}")
        if log_folder:
            lines.append(f"  logs: {log_folder}")
        return lines
