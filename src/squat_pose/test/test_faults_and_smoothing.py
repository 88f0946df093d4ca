"""Faults from a rep's measures, and One Euro smoothing."""

from __future__ import annotations

import numpy as np
import pytest

from squat_pose.faults import (
    LOW,
    MEDIUM,
    NOISE,
    NOISE_MARGIN,
    NOISIEST,
    STANDING_EXTENSION,
    FaultThresholds,
    RepFrames,
    rep_faults,
    unsteady_baseline,
)
from squat_pose.measure_track import RECENT_STANDINGS, MeasureTrack
from squat_pose.phases import Rep
from squat_pose.smoothing import MeasureSmoother, OneEuroFilter, OneEuroParameters


def rep(descent_s=1.5, lockout=3.0) -> Rep:
    return Rep(index=1, start_s=0.0, bottom_s=descent_s, end_s=descent_s + 1.5,
               bottom_entered_s=descent_s, bottom_left_s=descent_s + 0.2,
               peak_flexion_deg=110.0, lockout_flexion_deg=lockout)


def frames(**series) -> RepFrames:
    length = len(next(iter(series.values())))
    result = RepFrames()
    for index in range(length):
        result.times_s.append(index / 10)
        result.values.append({name: values[index] for name, values in series.items()
                              if values[index] is not None})
    return result


STANDING_HEEL = {"heel_height": 0.05, "heel_pitch": 0.0, "knee_separation": 0.8}


def codes(faults):
    return sorted(fault.code for fault in faults)


def test_clean_rep_has_no_faults():
    # Knees tracking out over the toes: wider apart than standing, whatever the angle reads.
    measured = frames(knee_separation=[0.8, 1.4, 1.0], knee_valgus_left=[2, 120, 3],
                      trunk_lean=[10, 35, 20],
                      thigh_angle=[60, -5, 40], pelvis_shift=[0.0, 0.05, 0.02],
                      heel_height=[0.05, 0.09, 0.05], heel_pitch=[0.0, 0.01, 0.0])
    assert rep_faults(rep(), measured, STANDING_HEEL) == []


def test_each_fault_with_value_threshold_and_frames():
    measured = frames(knee_separation=[0.8, 0.5, 0.4, 0.42, 0.8],
                      trunk_lean=[10, 55, 30, 10, 10],
                      thigh_angle=[60, 30, 40, 60, 60],
                      heel_height=[0.05, 0.2, 0.2, 0.2, 0.05],
                      heel_pitch=[0.0, 0.18, 0.18, 0.18, 0.0],
                      pelvis_shift=[0.0, -0.3, -0.32, -0.31, 0.0])
    found = {f.code: f for f in rep_faults(rep(descent_s=0.5, lockout=22), measured,
                                           STANDING_HEEL)}
    assert sorted(found) == ["fast_descent", "forward_lean", "heel_lift", "incomplete_lockout",
                             "insufficient_depth", "knee_valgus", "lateral_shift"]
    valgus = found["knee_valgus"]  # the level held for 0.25 s, from 0.1 s on
    assert valgus.value == pytest.approx(0.375)  # 1 - 0.5 / 0.8
    assert (valgus.threshold, valgus.unit) == (0.15, "standing_knee_separation")
    assert valgus.severity == MEDIUM
    assert valgus.frame_times_s == (0.1,)
    assert found["insufficient_depth"].value == 30
    assert found["heel_lift"].value == pytest.approx(0.15)
    assert found["lateral_shift"].value == pytest.approx(0.3)  # held for 0.25 s
    assert found["fast_descent"].value == 0.5
    assert found["forward_lean"].severity == LOW


@pytest.mark.parametrize("height, pitch, lifted", [
    ([0.05, 0.15, 0.15, 0.15, 0.05], [0.0, 0.02, 0.02, 0.02, 0.0], False),  # heel landmark
    ([0.05, 0.07, 0.07, 0.07, 0.05], [0.0, 0.1, 0.1, 0.1, 0.0], False),  # toe sinking at depth
    ([0.05, 0.15, 0.15, 0.15, 0.05], [0.0, 0.12, 0.12, 0.12, 0.0], True),
    # Up for one frame (0.1 s), both measures: landmarks thrown at depth, not a lift (in dim
    # light a clean rep's heel rose 0.1 torso lengths for a frame or two).
    ([0.05, 0.15, 0.05, 0.05, 0.05], [0.0, 0.12, 0.0, 0.0, 0.0], False),
])
def test_a_heel_lift_needs_the_heel_up_in_the_image_and_against_its_toe(height, pitch, lifted):
    measured = frames(heel_height=height, heel_pitch=pitch)
    found = {f.code: f for f in rep_faults(rep(), measured, STANDING_HEEL)}
    assert ("heel_lift" in found) == lifted
    if lifted:
        assert found["heel_lift"].value == pytest.approx(0.1)


def test_each_heel_measure_clears_its_own_noise_not_the_noisier_ones():
    # Seen from 20 deg round: the toe jitters (heel_pitch noise 0.03) while the heel's height
    # is steady (0.005). A 4 cm lift: the height rises 0.085, the pitch 0.2.
    standing = {**STANDING_HEEL, f"heel_height{NOISE}": 0.005, f"heel_pitch{NOISE}": 0.03}
    measured = frames(heel_height=[0.05, 0.135, 0.135, 0.135], heel_pitch=[0.0, 0.2, 0.2, 0.2])
    found = {f.code: f for f in rep_faults(rep(), measured, standing)}
    assert found["heel_lift"].value == pytest.approx(0.085 - 2 * 0.005)
    assert found["heel_lift"].threshold == pytest.approx(FaultThresholds().heel_lift)
    # The same rise of the height alone, the pitch's rise within its noise: no lift.
    measured = frames(heel_height=[0.05, 0.135, 0.135, 0.135], heel_pitch=[0.0, 0.1, 0.1, 0.1])
    assert "heel_lift" not in {f.code for f in rep_faults(rep(), measured, standing)}


def test_no_heel_lift_without_a_standing_reference():
    measured = frames(heel_height=[0.05, 0.3, 0.05], heel_pitch=[0.0, 0.3, 0.0])
    assert rep_faults(rep(), measured, None) == []
    assert rep_faults(rep(), measured, {"heel_height": 0.05}) == []


def test_knee_flexion_asymmetry_alone_is_no_lateral_shift():
    # Seen from the front the thighs point at the camera: 20 deg of left-right difference in
    # projected knee flexion came from a symmetric rep. Only the pelvis itself shifts.
    measured = frames(asymmetry=[0.0, -20.0, -21.0, -20.0, 5.0])
    assert rep_faults(rep(), measured, None) == []
    shifted = frames(asymmetry=[0.0, -20.0, -21.0, -20.0, 5.0],
                     pelvis_shift=[0.0, 0.3, 0.32, 0.3, 0.0])
    assert codes(rep_faults(rep(), shifted, None)) == ["lateral_shift"]


def test_one_frame_of_a_caved_knee_is_no_valgus():
    assert rep_faults(rep(), frames(knee_separation=[0.8, 0.3, 0.8, 0.8]), STANDING_HEEL) == []
    # At a few frames per second, two frames in a row count.
    sparse = RepFrames([0.0, 0.3, 0.6, 0.9],
                       [{"knee_separation": v} for v in (0.8, 0.3, 0.35, 0.8)])
    assert codes(rep_faults(rep(), sparse, STANDING_HEEL)) == ["knee_valgus"]


@pytest.mark.parametrize("standing, caved", [(0.8, False), (1.1, True), (None, False)],
                         ids=["narrow stance", "wide stance", "no standing value yet"])
def test_valgus_is_the_knees_closing_against_the_athletes_own_standing(standing, caved):
    # Knees at 0.9 of the ankle width: wider than a stance with the knees at 0.8 (no valgus),
    # 18 % closer than one that stood at 1.1; without a standing value, knees over the ankles.
    measured = frames(knee_separation=[0.9, 0.9, 0.9, 0.9])
    base = {} if standing is None else {"knee_separation": standing}
    assert ("knee_valgus" in codes(rep_faults(rep(), measured, base))) == caved


def test_a_lateral_shift_is_judged_against_standing_and_must_be_held():
    # One frame off (MediaPipe losing the hips for a moment) is no shift, at any frame rate.
    spike = frames(pelvis_shift=[0.0, 0.9, 0.0, 0.0])
    assert rep_faults(rep(), spike, None) == []
    # An athlete who stands 0.2 hip widths off the ankle midpoint (their stance, or the camera
    # off centre) and keeps it there does not shift.
    own_stance = frames(pelvis_shift=[0.2, 0.25, 0.26, 0.22, 0.2])
    assert rep_faults(rep(), own_stance, {"pelvis_shift": 0.2}) == []
    # Moving off their own stance through the bottom does.
    moved = frames(pelvis_shift=[0.2, 0.45, 0.5, 0.46, 0.2])
    found = rep_faults(rep(), moved, {"pelvis_shift": 0.2})
    assert codes(found) == ["lateral_shift"] and found[0].value == pytest.approx(0.25)


def test_one_euro_follows_steps_and_removes_jitter():
    smoothing = OneEuroFilter(OneEuroParameters(min_cutoff=1.0, beta=0.05))
    rng = np.random.default_rng(0)
    noisy = 90 + rng.normal(0, 2, 300)
    out = [smoothing(i / 30, v) for i, v in enumerate(noisy)]
    assert np.std(out[60:]) < 0.5 * np.std(noisy[60:])
    step = [smoothing(10 + i / 30, 120.0) for i in range(30)]
    assert step[-1] == pytest.approx(120.0, abs=1.0)


def test_smoother_restarts_after_a_gap():
    smoother = MeasureSmoother(OneEuroParameters(max_gap_s=0.5))
    smoother(0.0, {"a": 10.0})
    assert smoother(0.033, {"a": 20.0})["a"] < 20.0
    assert smoother(2.0, {"a": 50.0})["a"] == 50.0


@pytest.mark.parametrize("straightest, lockout, short", [
    (None, 16.0, 16.0), (12.0, 16.0, None), (12.0, 22.0, None), (2.0, 22.0, 20.0)],
    ids=["no baseline yet", "a knee that reads 12 deg straight", "within 15 of it",
         "20 short of straight"])
def test_lockout_is_judged_against_the_athletes_own_straightest_standing(straightest, lockout,
                                                                         short):
    standing = dict(STANDING_HEEL, **({} if straightest is None
                                      else {STANDING_EXTENSION: straightest}))
    found = {f.code: f for f in rep_faults(rep(lockout=lockout), frames(trunk_lean=[10.0]),
                                           standing)}
    if short is None:
        assert "incomplete_lockout" not in found
    else:
        assert found["incomplete_lockout"].value == pytest.approx(short)


def test_the_straightest_standing_is_a_steady_one_not_a_single_frame():
    from squat_pose.measure_track import SteadyMinimum

    straightest = SteadyMinimum(window=5)
    for value in [9.0, 9.2, -20.0, 9.1, 9.0, 8.8, 9.3, 12.0, 12.5, 12.2, 11.9, 12.1]:
        straightest.add(value)
    assert straightest.value == pytest.approx(9.0)


def test_a_stance_that_jitters_needs_a_clearer_shift():
    moved = frames(pelvis_shift=[0.0, 0.2, 0.21, 0.2, 0.0])
    assert codes(rep_faults(rep(), moved, {"pelvis_shift": 0.0})) == ["lateral_shift"]
    # Standing, the pelvis read 0.05 hip widths either way: 0.2 is within its noise's reach.
    noisy = {"pelvis_shift": 0.0, f"pelvis_shift{NOISE}": 0.05}
    assert rep_faults(rep(), moved, noisy) == []
    clear = frames(pelvis_shift=[0.0, 0.4, 0.41, 0.4, 0.0])
    found = rep_faults(rep(), clear, noisy)
    assert codes(found) == ["lateral_shift"]
    assert found[0].threshold == pytest.approx(0.15 + NOISE_MARGIN * 0.05)


def test_a_baseline_that_shook_standing_is_not_judged_against():
    th = FaultThresholds()
    steady = {f"heel_height{NOISE}": 0.005, f"heel_pitch{NOISE}": 0.01,
              f"pelvis_shift{NOISE}": 0.02}
    assert unsteady_baseline("heel_lift", steady, th) == ""
    assert unsteady_baseline("lateral_shift", steady, th) == ""
    # Dim light: the heel landmark shook 0.02 torso lengths standing, a third of the limit.
    shaky = {**steady, f"heel_height{NOISE}": 0.02}
    assert "0.020 of noise against a 0.06 limit" in unsteady_baseline("heel_lift", shaky, th)
    assert unsteady_baseline("lateral_shift", shaky, th) == ""
    assert unsteady_baseline("knee_valgus", shaky, th) == ""
    assert unsteady_baseline("heel_lift", None, th) == ""


def test_one_quiet_standing_does_not_open_a_baseline_the_ones_before_showed_unsteady():
    # Dim light: the heel landmark's standing noise went 0.02, 0.008, 0.014 torso lengths
    # over three standings of one session, and at the quiet one a false heel lift came through.
    track = MeasureTrack(None)
    rng = np.random.default_rng(1)
    t = 0.0

    def stand(noise: float) -> dict[str, float]:
        nonlocal t
        for _ in range(60):
            track.add(t, {"heel_height": 0.05 + rng.normal(0.0, noise), "heel_pitch": 0.0},
                      standing=True)
            t += 1 / 30
        standing = track.standing_values()
        track.add(t, {"heel_height": 0.2, "heel_pitch": 0.1}, standing=False)  # a rep
        t += 1 / 30
        return standing

    assert unsteady_baseline("heel_lift", stand(0.025))
    quiet = stand(0.003)
    assert quiet[f"heel_height{NOISE}"] < 0.006 < quiet[f"heel_height{NOISIEST}"]
    assert unsteady_baseline("heel_lift", quiet)
    for _ in range(RECENT_STANDINGS - 1):
        quiet = stand(0.003)
    assert unsteady_baseline("heel_lift", quiet) == ""
