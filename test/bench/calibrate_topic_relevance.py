"""Calibration: the off-topic threshold of each language, from the labelled questions.

Scores every question of test/data/kb_questions.yaml (on-topic, both languages) and
test/data/topic_questions.yaml (on- and off-topic) with KnowledgeIndex.relevance on a fresh
embedded index, then per language prints: the score ranges, the threshold that minimises the
larger of the false-refusal and off-topic-answered rates (placed halfway between the two
scores it separates), both rates at that threshold and at the current default
(feedback `min_relevance_<language>`), and the rates a threshold calibrated on two thirds of
the questions reaches on the other third (3-fold, 100 shuffles): what to expect on questions
nobody calibrated on. Prints figures; asserts nothing.
Usage: source scripts/env.sh; python test/bench/calibrate_topic_relevance.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import yaml

from squat_feedback.coach_factory import build_coach
from squat_feedback.feedback_settings import FeedbackSettings, min_relevance

DATA = Path(__file__).resolve().parents[1] / "data"


def rates(on: np.ndarray, off: np.ndarray, threshold: float) -> tuple[float, float]:
    """(false refusals, off-topic answered) at `threshold`."""
    return float(np.mean(on < threshold)), float(np.mean(off >= threshold))


def best_threshold(on: np.ndarray, off: np.ndarray) -> float:
    """The threshold with the smallest larger-error (then the smallest sum), halfway between
    the scores it separates."""
    scores = np.unique(np.r_[on, off])
    candidates = (scores[:-1] + scores[1:]) / 2
    return min(candidates, key=lambda t: (max(rates(on, off, t)), sum(rates(on, off, t))))


def cross_validated(on: np.ndarray, off: np.ndarray, rng: np.random.Generator,
                    shuffles: int = 100) -> tuple[float, float]:
    refused, answered = [], []
    for _ in range(shuffles):
        on_folds = np.array_split(rng.permutation(on), 3)
        off_folds = np.array_split(rng.permutation(off), 3)
        for k in range(3):
            threshold = best_threshold(np.concatenate(on_folds[:k] + on_folds[k + 1:]),
                                       np.concatenate(off_folds[:k] + off_folds[k + 1:]))
            fr, fa = rates(on_folds[k], off_folds[k], threshold)
            refused.append(fr)
            answered.append(fa)
    return float(np.mean(refused)), float(np.mean(answered))


def main() -> None:
    retrieval = yaml.safe_load((DATA / "kb_questions.yaml").read_text())["questions"]
    topics = yaml.safe_load((DATA / "topic_questions.yaml").read_text())
    defaults = min_relevance(FeedbackSettings())
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        coach = build_coach(FeedbackSettings(qdrant_path=Path(folder)))
        try:
            for language in ("en", "ko"):
                asked = [item[language] for item in retrieval] + topics["on_topic"][language]
                on = np.array([coach.chain.index.relevance(q, language) for q in asked])
                off = np.array([coach.chain.index.relevance(q, language)
                                for q in topics["off_topic"][language]])
                threshold = best_threshold(on, off)
                print(f"{language}: {len(on)} on-topic, {len(off)} off-topic questions")
                print(f"  on-topic  relevance min {on.min():.3f}  p5 {np.percentile(on, 5):.3f}"
                      f"  median {np.median(on):.3f}")
                print(f"  off-topic relevance max {off.max():.3f}  p95 "
                      f"{np.percentile(off, 95):.3f}  median {np.median(off):.3f}")
                for name, value in (("calibrated", threshold),
                                    ("default", defaults[language])):
                    fr, fa = rates(on, off, value)
                    print(f"  {name:10s} threshold {value:.3f}: false refusals {fr:.3f}, "
                          f"off-topic answered {fa:.3f}")
                fr, fa = cross_validated(on, off, rng)
                print(f"  3-fold cross-validated: false refusals {fr:.3f}, off-topic "
                      f"answered {fa:.3f}")
        finally:
            coach.close()


if __name__ == "__main__":
    main()
