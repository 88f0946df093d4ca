"""MediaPipe (squat coach's estimator) on the virtual athlete, against its exact truth.

The acceptance figures of the virtual athlete: the person is found in >= 95 % of the frames of
both default views over 5 clean reps and >= 90 % with each fault injected; the knee angle read by
MediaPipe stays close to the rendered truth; the analyzer finds each fault in the rep that
carries it and none in clean reps. Rates and errors are printed (pytest -s).
"""

from __future__ import annotations

import pytest

from helpers.virtual_athlete_eval import ViewResult, evaluate
from squat_virtual_athlete.spec import FAULT_UNITS, AthleteSpec, parse_faults


def describe(label: str, views: dict[str, ViewResult]) -> str:
    return "; ".join(
        f"{label} {view}: detected {r.detection_rate:.3f}, knee RMSE "
        f"{ViewResult.rmse(r.knee_vs_projection):.1f} deg vs projected truth, "
        f"{ViewResult.rmse(r.knee_vs_3d):.1f} deg vs 3D truth" for view, r in views.items())


def test_five_clean_reps_are_seen_in_both_views_with_the_true_knee_angle():
    result = evaluate(AthleteSpec(reps=5))
    print(describe("clean", result.views))
    for view in ("front", "side"):
        assert result.views[view].detection_rate >= 0.95, describe("clean", result.views)
        # Measured 3.3 (front) and 3.6 (side) deg; a broken body or camera gives tens.
        assert ViewResult.rmse(result.views[view].knee_vs_projection) < 8.0
    # From the side, the 2D knee angle is the true 3D one within a few degrees.
    assert ViewResult.rmse(result.views["side"].knee_vs_3d) < 8.0
    assert len(result.reports) == 5, "the analyzer counts the rendered reps"
    assert [rep.fault_codes for rep in result.reports] == [[]] * 5, "clean reps read clean"


@pytest.mark.parametrize("fault", list(FAULT_UNITS))
def test_each_injected_fault_shows_a_person_and_is_found_in_its_rep(fault):
    result = evaluate(AthleteSpec(reps=2, faults=parse_faults(f"{fault}@2")))
    print(describe(fault, result.views))
    for view in ("front", "side"):
        assert result.views[view].detection_rate >= 0.90, describe(fault, result.views)
    found = [rep.fault_codes for rep in result.reports]
    assert [fault in codes for codes in found] == [False, True], found
