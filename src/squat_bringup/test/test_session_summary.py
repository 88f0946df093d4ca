"""What `coach run` prints: rep lines, feedback, the summary, and when the session is over."""

from __future__ import annotations

import math

from squat_bringup.runner import FEEDBACK_GRACE_S, SETTLE_S, session_over
from squat_bringup.session_summary import (
    FeedbackLine,
    RepLine,
    SessionSummary,
    WaitStatus,
    feedback_text,
    rep_text,
)


def rep(index: int, score: float = 88.0, faults=()) -> RepLine:
    return RepLine(index, 92.4, 1.6, 1.2, score, tuple(faults))


def test_a_rep_line_says_depth_tempo_score_and_faults():
    line = rep_text(rep(2, faults=[("knee_valgus", "medium")]))
    assert line == ("rep 2: knee 92 deg at the bottom, down 1.6 s, up 1.2 s, score 88, "
                    "faults: knee valgus (medium)")
    assert "score -," in rep_text(rep(1, score=math.nan))
    assert rep_text(rep(1)).endswith("faults: none")


def test_feedback_is_indented_under_its_rep_with_its_sources():
    lines = feedback_text(FeedbackLine(1, "Knees out.\nPush the floor apart.", ("valgus-1",)))
    assert lines == ["  coach: Knees out.", "  coach: Push the floor apart.",
                     "  sources: valgus-1"]


def test_the_summary_counts_reps_scores_and_faults_per_rep():
    summary = SessionSummary()
    for r in (rep(1, 90), rep(2, 70, [("knee_valgus", "low")]), rep(3, math.nan),
              rep(4, 80, [("knee_valgus", "high"), ("forward_lean", "low")])):
        assert summary.add_rep(r)
    assert not summary.add_rep(rep(1)), "a repeated message is one rep"
    summary.add_feedback(FeedbackLine(1, "ok"))
    assert summary.waiting_for_feedback == [2, 3, 4]
    assert summary.lines("/logs/s1") == [
        "session: 4 reps, mean score 80 (3 scored), feedback on 1",
        "  forward lean: rep 4", "  knee valgus: reps 2, 4", "  logs: /logs/s1"]
    assert SessionSummary().lines() == ["session: 0 reps, mean score - (0 scored), "
                                        "feedback on 0"]


def test_the_status_line_says_what_is_still_missing():
    status = WaitStatus(cameras={"side": "up", "front": "no frames"}, index="building")
    status.seen["front"] = True
    assert status.line() == ("cameras front no frames, side up | knowledge index building | "
                             "athlete seen: front yes, side no")


def test_the_session_ends_when_the_reps_are_done_and_coached():
    summary = SessionSummary(max_reps=2)
    summary.add_rep(rep(1))
    assert session_over(summary, None, 100.0, 101.0) is None
    summary.add_rep(rep(2))
    assert session_over(summary, None, last_news=100.0, now=101.0) is None
    summary.add_feedback(FeedbackLine(1, "a"))
    assert not summary.add_rep(rep(3)), "a rep begun while waiting is not the session's"
    assert not summary.add_feedback(FeedbackLine(3, "c"))
    summary.add_feedback(FeedbackLine(2, "b"))
    assert session_over(summary, None, 100.0, 101.0) == "2 reps done"
    assert list(summary.reps) == [1, 2]


def test_the_session_ends_after_the_last_frame_once_feedback_has_come_or_timed_out():
    summary = SessionSummary()
    summary.add_rep(rep(1))
    assert session_over(summary, None, 0.0, 1000.0) is None, "live cameras go on"
    done_at = 10.0
    assert session_over(summary, done_at, 10.0, 10.0 + SETTLE_S) is None
    assert session_over(summary, done_at, 10.0, 10.0 + FEEDBACK_GRACE_S) == (
        "the cameras have no more frames")
    summary.add_feedback(FeedbackLine(1, "a"))
    assert session_over(summary, done_at, 10.0, 10.0 + SETTLE_S) == (
        "the cameras have no more frames")
