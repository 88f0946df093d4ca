"""Scores against the built-in reference on the virtual athlete's exact landmarks.

The landmarks are the rendered athlete's truth projected into the default cameras (the same
path the built-in reference is made by), so what is tested is the alignment and the score, not
MediaPipe's noise: a growing fault costs points, tempo does not, and the shipped built-in
reference is exactly what its generator makes.
"""

from __future__ import annotations

import json

import pytest

from squat_bringup.builtin_reference import builtin_reference, truth_frames
from squat_pose.analysis import AnalyzerSettings, SquatAnalyzer
from squat_pose.phases import PhaseParameters
from squat_pose.reference import builtin_reference_path, load_reference
from squat_pose.reference_scorer import ReferenceScorer
from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.spec import AthleteSpec, parse_faults

CAMERAS = [VirtualCamera.default("front"), VirtualCamera.default("side")]
QUARTER_SQUATS_COUNT = AnalyzerSettings(phases=PhaseParameters(min_rep_flexion_deg=40.0))


@pytest.fixture(scope="module")
def reference():
    return load_reference(builtin_reference_path())


def rep_scores(reference, settings: AnalyzerSettings | None = None, **spec) -> list[float]:
    analyzer, scorer = SquatAnalyzer(settings), ReferenceScorer(reference)
    scored = []
    for t, poses in truth_frames(AthleteSpec(variability=0.0, **spec), CAMERAS):
        analysis = analyzer.update(t, poses["front"], poses["side"])
        scorer.frame(t, analysis, poses)
        if analysis.finished is not None:
            scored.append(scorer.rep(analysis.finished))
    if (last := analyzer.finish()) is not None:
        scored.append(scorer.rep(last))
    return [report.score for report in scored]


def test_the_shipped_builtin_reference_is_what_its_generator_makes(reference):
    made = builtin_reference()
    assert made.content_hash == reference.content_hash
    document = json.loads(builtin_reference_path().read_text())
    assert document["name"].startswith("built-in") and document["views"] == ["front", "side"]


def test_a_clean_squat_scores_high_and_tempo_does_not_count(reference):
    slow = rep_scores(reference, reps=1, descent_s=2.5)
    quick = rep_scores(reference, reps=1, descent_s=1.0)
    assert len(slow) == len(quick) == 1
    assert slow[0] >= 90 and quick[0] >= 85
    assert abs(slow[0] - quick[0]) <= 5, (slow, quick)


@pytest.mark.parametrize("variations", [
    [{"faults": parse_faults(f"forward_lean:{size}")} for size in (0.1, 10, 20, 30)],
    # A 130 deg bottom is 50 deg of flexion, no rep at the default phases.min_rep_flexion_deg
    # (50: below it walking steps count, shallow_side.mp4); a trainer coaching quarter squats
    # sets it lower, as here.
    [{"min_knee_angle_deg": angle, "settings": QUARTER_SQUATS_COUNT}
     for angle in (90.0, 100.0, 115.0, 130.0)],
    [{"faults": parse_faults(f"knee_valgus:{size}")} for size in (0.1, 5, 10, 15)],
], ids=["forward lean 0-30 deg", "depth 90-130 deg min knee angle", "knee valgus 0-15 deg"])
def test_the_score_falls_as_a_fault_grows(reference, variations):
    scores = [rep_scores(reference, reps=1, **variation)[0] for variation in variations]
    assert scores == sorted(scores, reverse=True), scores
    assert scores[0] - scores[-1] >= 10, scores
