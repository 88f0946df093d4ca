"""The cue policy over a set as a lifter does it: clean, faulty, repeated faults, praise."""

from __future__ import annotations

from dataclasses import replace

import pytest

from squat_feedback.cue_policy import (
    CUE_TEXT,
    PRAISE,
    CuePolicy,
    CueSettings,
)
from squat_feedback.language import locale_language
from squat_feedback.rep_context import FaultFinding, RepContext

VALGUS = FaultFinding("knee_valgus", 18.0, 10.0, "deg", 3)
DEPTH = FaultFinding("insufficient_depth", 22.0, 10.0, "deg", 2)
LEAN = FaultFinding("forward_lean", 58.0, 50.0, "deg", 2)


def rep(index: int, *faults: FaultFinding) -> RepContext:
    return RepContext(index, faults=faults)


def session(reps: list[RepContext], settings: CueSettings | None = None,
            language: str = "en", period_s: float = 4.0) -> list[tuple[str, str] | None]:
    policy = CuePolicy(replace(settings or CueSettings(), language=language))
    cues = [policy.cue(r, i * period_s) for i, r in enumerate(reps)]
    return [(c.fault_code, c.text) if c else None for c in cues]


SIX = [rep(1), rep(2, VALGUS), rep(3, VALGUS), rep(4, VALGUS), rep(5), rep(6, DEPTH)]


def test_six_reps_give_the_cues_the_policy_says():
    cues = session(SIX)
    assert cues == [None, ("knee_valgus", CUE_TEXT["en"]["knee_valgus"]), None, None,
                    (PRAISE, CUE_TEXT["en"][PRAISE]),
                    ("insufficient_depth", CUE_TEXT["en"]["insufficient_depth"])]


def test_a_fault_is_cued_again_once_its_cooldown_is_over():
    cues = session(SIX, CueSettings(cue_cooldown_s=8.0))
    assert [c[0] if c else None for c in cues] == [
        None, "knee_valgus", None, "knee_valgus", PRAISE, "insufficient_depth"]


def test_praise_can_be_turned_off():
    assert session(SIX, CueSettings(praise_after_fault=False))[4] is None


def test_one_cue_per_rep_the_most_important_first_then_the_next_in_cooldown():
    cues = session([rep(1, DEPTH, LEAN, VALGUS), rep(2, VALGUS, DEPTH), rep(3, VALGUS, DEPTH)])
    # Highest severity first; then valgus is in its cooldown, so depth; then both are.
    assert [c[0] if c else None for c in cues] == ["knee_valgus", "insufficient_depth", None]


def test_between_equal_severities_joint_safety_comes_first():
    assert session([rep(1, DEPTH, LEAN)])[0][0] == "forward_lean"


def test_an_unknown_fault_code_is_not_cued():
    assert session([rep(1, FaultFinding("new_fault", 1.0, 0.0, "", 3))]) == [None]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_cue_is_short_and_in_its_language(language):
    for code, text in CUE_TEXT[language].items():
        assert len(text.split()) <= 8, (code, text)
        hangul = any("\uac00" <= ch <= "\ud7a3" for ch in text)
        assert hangul == (language == "ko"), (code, text)
    assert set(CUE_TEXT["ko"]) == set(CUE_TEXT["en"])


def test_korean_cues_for_the_same_session():
    cues = session(SIX, language="ko")
    assert cues[1] == ("knee_valgus", "무릎을 발끝 방향으로 밀어내세요.")
    assert cues[4] == (PRAISE, "좋아요, 바로 그거예요!")


@pytest.mark.parametrize("environment, language", [
    ({"LANG": "ko_KR.UTF-8"}, "ko"), ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "ko_KR.UTF-8", "LANG": "C"}, "ko"), ({}, "en")])
def test_the_session_language_follows_the_locale(monkeypatch, environment, language):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert locale_language() == language
