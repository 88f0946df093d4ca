"""Which short cue, if any, a lifter hears as a rep ends: one fault at a time, sparingly.

The policy, as commercial coaches cue mid-set:
- at most one cue per rep: its most important fault (the highest severity; between equals,
  the order of CUE_PRIORITY, joint safety first);
- a fault cued less than `cue_cooldown_s` ago is not cued again (the next most important fault
  of the rep is, if any);
- a clean rep right after a faulty one gets a short praise line (`praise_after_fault`); other
  clean reps get nothing.
The cue's time is the rep's end on the session clock, so a replay cues as the session did.
Imports no rclpy.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from squat_feedback.language import LANGUAGES, locale_language
from squat_feedback.rep_context import RepContext

PRAISE = ""  # the fault code of a praise line: none

# Joint safety first, then depth and balance, then tempo.
CUE_PRIORITY = (KNEE_VALGUS, LATERAL_SHIFT, HEEL_LIFT, FORWARD_LEAN, INSUFFICIENT_DEPTH,
                FAST_DESCENT, INCOMPLETE_LOCKOUT)

# At most eight words each: said aloud between reps, read at a glance.
CUE_TEXT: dict[str, dict[str, str]] = {
    "en": {
        KNEE_VALGUS: "Push your knees out over your toes.",
        LATERAL_SHIFT: "Stay centred, weight even on both feet.",
        HEEL_LIFT: "Keep your heels down.",
        FORWARD_LEAN: "Chest up, keep your back tall.",
        INSUFFICIENT_DEPTH: "Sit deeper, hips down to your knees.",
        FAST_DESCENT: "Slow down on the way down.",
        INCOMPLETE_LOCKOUT: "Stand all the way up.",
        PRAISE: "Good rep, that's it!",
    },
    "ko": {
        KNEE_VALGUS: "무릎을 발끝 방향으로 밀어내세요.",
        LATERAL_SHIFT: "양발에 체중을 고르게 실으세요.",
        HEEL_LIFT: "뒤꿈치를 바닥에 붙이세요.",
        FORWARD_LEAN: "가슴을 펴고 상체를 세우세요.",
        INSUFFICIENT_DEPTH: "조금 더 깊이 앉으세요.",
        FAST_DESCENT: "내려갈 때 천천히 내려가세요.",
        INCOMPLETE_LOCKOUT: "끝까지 일어서세요.",
        PRAISE: "좋아요, 바로 그거예요!",
    },
}


@dataclass(frozen=True)
class CueSettings:
    """When feedback_node cues, and in which language; each field is one of its parameters
    (live)."""

    language: str = setting(
        description="Language of the session: the cues on squat/cue and the rep feedback on "
        "squat/feedback (default: from the locale, 'ko' for a Korean one). Questions are "
        "answered in their own language.",
        default_factory=locale_language, choices=LANGUAGES)
    cue_cooldown_s: float = setting(
        30.0, "A fault cued less than this long ago is not cued again.", unit="s", low=0.0,
        high=3600.0)
    praise_after_fault: bool = setting(
        True, "A clean rep right after a faulty one gets a short praise line.")


@dataclass(frozen=True)
class Cue:
    """A short line for a finished rep: a fault's cue, or praise (fault_code PRAISE)."""

    rep_index: int
    fault_code: str
    text: str


class CuePolicy:
    """Feed every finished rep in order; `cue` says what, if anything, to say for it."""

    def __init__(self, settings: CueSettings = CueSettings()) -> None:
        self.settings = settings
        self._last_cued_s: dict[str, float] = {}
        self._previous_faulty = False

    def cue(self, rep: RepContext, ended_s: float) -> Cue | None:
        """The cue for `rep`, which ended at `ended_s` (session clock)."""
        texts = CUE_TEXT[self.settings.language]
        was_faulty, self._previous_faulty = self._previous_faulty, bool(rep.faults)
        if not rep.faults:
            if was_faulty and self.settings.praise_after_fault:
                return Cue(rep.rep_index, PRAISE, texts[PRAISE])
            return None
        ranked = sorted({f.code: f for f in rep.faults if f.code in CUE_PRIORITY}.values(),
                        key=lambda f: (-f.severity, CUE_PRIORITY.index(f.code)))
        for fault in ranked:
            last = self._last_cued_s.get(fault.code)
            if last is None or ended_s - last >= self.settings.cue_cooldown_s:
                self._last_cued_s[fault.code] = ended_s
                return Cue(rep.rep_index, fault.code, texts[fault.code])
        return None
