"""Rep counting on synthetic knee flexion traces (30 fps)."""

from __future__ import annotations

import numpy as np
import pytest

from squat_pose.phases import Phase, PhaseParameters, RepCounter

FPS = 30


def squat_trace(depth_deg: float, descent_s=1.5, pause_s=0.3, ascent_s=1.2, stand_s=1.0):
    down = np.linspace(2, depth_deg, int(descent_s * FPS))
    hold = np.full(int(pause_s * FPS), depth_deg)
    up = np.linspace(depth_deg, 2, int(ascent_s * FPS))
    rest = np.full(int(stand_s * FPS), 2.0)
    return np.concatenate([down, hold, up, rest])


def run(trace, counter=None):
    counter = counter or RepCounter()
    phases, reps = [], []
    for index, value in enumerate(trace):
        rep = counter.update(index / FPS, None if np.isnan(value) else float(value))
        phases.append(counter.phase)
        if rep:
            reps.append(rep)
    if (rep := counter.finish()) is not None:
        reps.append(rep)
    return counter, phases, reps


def test_three_full_reps_with_tempo():
    trace = np.concatenate([np.full(FPS, 2.0)] + [squat_trace(110)] * 3)
    _, phases, reps = run(trace)
    assert len(reps) == 3
    first = reps[0]
    assert first.peak_flexion_deg == pytest.approx(110)
    assert first.descent_s == pytest.approx(1.5, abs=0.1)
    assert first.pause_s == pytest.approx(0.3, abs=0.1)
    assert first.ascent_s == pytest.approx(1.2, abs=0.15)
    assert set(phases) == {Phase.STANDING, Phase.DESCENT, Phase.BOTTOM, Phase.ASCENT}


def test_a_small_dip_is_not_a_rep():
    trace = np.concatenate([np.full(FPS, 2.0), squat_trace(40), squat_trace(100)])
    assert len(run(trace)[2]) == 1


def test_going_back_down_mid_ascent_is_the_same_rep():
    down = np.linspace(2, 100, 45)
    half_up = np.linspace(100, 60, 20)
    down_again = np.linspace(60, 115, 25)
    up = np.linspace(115, 2, 40)
    trace = np.concatenate([np.full(FPS, 2.0), down, half_up, down_again, up, np.full(FPS, 2)])
    reps = run(trace)[2]
    assert len(reps) == 1
    assert reps[0].peak_flexion_deg == pytest.approx(115)


def test_person_leaving_view_drops_the_rep_in_progress():
    rep = squat_trace(100)
    gone = rep.copy()
    gone[30:80] = np.nan  # out of view for 1.7 s from the bottom (frames 60..110 overall)
    trace = np.concatenate([np.full(FPS, 2.0), gone, squat_trace(100)])
    _, phases, reps = run(trace)
    assert len(reps) == 1
    assert set(phases[95:110]) == {Phase.UNKNOWN}


def test_no_frames_mid_rep_drop_that_rep_and_say_how_long_it_went_unseen():
    # A camera unplugged at the bottom: no frame at all for 2.5 s, then frames again as the
    # next rep begins.
    times = np.arange(len(trace := np.concatenate(
        [np.full(FPS, 2.0), squat_trace(100), squat_trace(100), squat_trace(100)]))) / FPS
    keep = (times < 2.5) | (times > 5.0)
    counter, gaps, reps = RepCounter(), [], []
    for t, value in zip(times[keep], trace[keep], strict=True):
        if (rep := counter.update(float(t), float(value))) is not None:
            reps.append(rep)
        if counter.lost_rep_gap_s is not None:
            gaps.append((float(t), counter.lost_rep_gap_s))
    # The rep the outage cut is dropped; the two after it count whole.
    assert len(reps) == 2 and reps[0].start_s >= 5.0
    assert reps[1].descent_s == pytest.approx(1.5, abs=0.15)
    assert len(gaps) == 1 and gaps[0][1] == pytest.approx(2.57, abs=0.02)


def test_a_gap_of_pairs_a_busy_pose_node_skipped_drops_nothing():
    times = np.arange(len(trace := np.concatenate(
        [np.full(FPS, 2.0), squat_trace(100), squat_trace(100)]))) / FPS
    keep = (times < 2.0) | (times > 4.5)
    counter, reps, skipped = RepCounter(), [], False
    for t, value in zip(times[keep], trace[keep], strict=True):
        # The first frame after the gap says frames came meanwhile that were not analysed.
        skipped = not skipped and t > 4.5
        if (rep := counter.update(float(t), float(value), frames_between=skipped)) is not None:
            reps.append(rep)
        assert counter.lost_rep_gap_s is None
    assert len(reps) + (counter.finish() is not None) == 2


def test_a_short_gap_between_reps_drops_nothing():
    trace = np.concatenate([np.full(FPS, 2.0), squat_trace(100, stand_s=2.0), squat_trace(100)])
    times = np.arange(len(trace)) / FPS
    keep = (times < 4.3) | (times > 4.8)  # 0.5 s without frames while standing
    counter, reps = RepCounter(), []
    for t, value in zip(times[keep], trace[keep], strict=True):
        if (rep := counter.update(float(t), float(value))) is not None:
            reps.append(rep)
        assert counter.lost_rep_gap_s is None
    assert len(reps) + (counter.finish() is not None) == 2


def test_incomplete_lockout_shows_in_the_rep():
    trace = np.concatenate([np.full(FPS, 2.0), np.linspace(2, 100, 40),
                            np.linspace(100, 20, 40), np.full(FPS, 20.0)])
    reps = run(trace)[2]
    assert len(reps) == 1
    assert reps[0].lockout_flexion_deg == pytest.approx(20.0)


def test_a_rep_ends_once_standing_has_settled():
    trace = np.concatenate([np.full(FPS, 2.0), squat_trace(100, stand_s=1.0)])
    counter = RepCounter(PhaseParameters(lockout_settle_s=0.4))
    ended_at = None
    for index, value in enumerate(trace):
        if counter.update(index / FPS, float(value)):
            ended_at = index / FPS
    top_reached = (FPS + int(1.5 * FPS) + int(0.3 * FPS) + int(1.2 * FPS)) / FPS
    assert ended_at == pytest.approx(top_reached + 0.4, abs=0.1)


@pytest.mark.parametrize("noise_deg, late_s", [(0.2, 0.08), (3.0, 0.25)],
                         ids=["steady standing", "jittery standing"])
def test_a_descent_that_eases_in_starts_where_the_knee_left_its_standing_noise(noise_deg,
                                                                               late_s):
    # Flexion easing in and out (a cosine) over 1.0 s: a fixed 5 deg band above standing
    # starts the rep 0.14 s late and reads a 0.86 s descent. Standing steady, the band is three
    # times the standing noise (1 deg at least); jittery, it stays at rest_band_deg.
    rng = np.random.default_rng(1)
    stand = 2.0 + rng.normal(0.0, noise_deg, 2 * FPS)
    eased = 2.0 + 108.0 * (1 - np.cos(np.pi * np.arange(FPS + 1) / FPS)) / 2
    trace = np.concatenate([stand, eased, np.full(FPS // 2, 110.0), eased[::-1],
                            np.full(FPS, 2.0)])
    _, _, reps = run(trace)
    assert len(reps) == 1
    onset_s = 2.0 - 1 / FPS  # the last standing frame
    assert abs(reps[0].start_s - onset_s) <= late_s, reps[0].start_s


def eased(start_deg: float, end_deg: float, seconds: float) -> np.ndarray:
    """Flexion easing in and out (a cosine) from start to end, frames after the first."""
    phase = np.arange(1, int(seconds * FPS) + 1) / (seconds * FPS)
    return start_deg + (end_deg - start_deg) * (1 - np.cos(np.pi * phase)) / 2


@pytest.mark.parametrize("first_deg, settled_deg", [(2.6, 3.8), (2.0, 10.0)],
                         ids=["a degree straighter at first", "knees softer after a step"])
def test_a_rep_starts_where_the_knee_left_where_it_stood_last(first_deg, settled_deg):
    # A coach stood 1.2 deg straighter for the first half second, then steady: against
    # the lowest standing value every later frame was "off rest", and the rep
    # started 0.75 s early, or late, as a little JPEG noise fell. Standing still elsewhere
    # (softer knees, 8 deg above the first stance) is a new standing level too.
    rng = np.random.default_rng(2)
    trace = np.concatenate([np.full(FPS // 2, first_deg),
                            settled_deg + rng.normal(0.0, 0.05, 2 * FPS),
                            eased(settled_deg, 110.0, 1.5), np.full(FPS // 3, 110.0),
                            eased(110.0, settled_deg, 1.2), np.full(FPS, settled_deg)])
    reps = run(trace)[2]
    assert len(reps) == 1
    onset_s = (FPS // 2 + 2 * FPS - 1) / FPS
    assert onset_s - 0.05 <= reps[0].start_s <= onset_s + 0.1, reps[0].start_s


def test_brisk_reps_start_where_the_knee_stood_though_the_lockout_is_confirmed_late():
    # 0.3 s standing between reps is less than the lockout takes to settle (0.4 s): the rep
    # ends once the next descent is under way, and that descent's start must come from the
    # standing level, not from the frames of the previous departure (they read 1.00 s and
    # 0.93 s descents of 1.25 s, a false fast_descent).
    rep = np.concatenate([eased(1.0, 100.0, 1.25), eased(100.0, 1.0, 0.8),
                          np.full(int(0.3 * FPS), 1.0)])
    trace = np.concatenate([np.full(FPS, 1.0)] + [rep] * 4)
    reps = run(trace)[2]
    assert len(reps) == 4
    onsets = [(FPS + i * len(rep) - 1) / FPS for i in range(4)]
    for found, onset_s in zip(reps, onsets, strict=True):
        assert onset_s - 0.35 <= found.start_s <= onset_s + 0.1, (found.start_s, onset_s)
        assert found.descent_s >= 1.1, found


def test_a_wobble_on_the_way_down_is_not_the_bottom():
    # A view's knee angle that stalls and dips 3 deg at 80 deg, then goes on to 115: the
    # bottom is at 115, and the descent lasts until there (1.5 s), not until the wobble.
    down = np.linspace(2, 80, 24)
    wobble = np.array([79.0, 77.0, 78.0, 80.0])
    rest_of_way = np.linspace(81, 115, 20)
    trace = np.concatenate([np.full(FPS, 2.0), down, wobble, rest_of_way,
                            np.full(9, 115.0), np.linspace(115, 2, 36), np.full(FPS, 2.0)])
    reps = run(trace)[2]
    assert len(reps) == 1
    assert reps[0].peak_flexion_deg == pytest.approx(115)
    assert reps[0].descent_s == pytest.approx(47 / FPS, abs=0.1)
    assert reps[0].pause_s == pytest.approx(9 / FPS, abs=0.1)


def test_the_bottom_between_two_times_is_the_finished_or_rising_reps():
    trace = np.concatenate([np.full(FPS, 2.0), squat_trace(110), squat_trace(100)])
    counter, _, reps = run(trace)
    first, second = reps
    assert counter.bottom_between(first.start_s, first.end_s) == (first.bottom_entered_s,
                                                                  first.bottom_left_s)
    assert counter.bottom_between(second.start_s, second.end_s) == (second.bottom_entered_s,
                                                                    second.bottom_left_s)
    assert counter.bottom_between(0.0, first.start_s) is None
    rising = RepCounter()
    ascent_begun = FPS + int(1.5 * FPS) + int(0.3 * FPS) + 10  # stand, go down, hold, rise
    run(trace[:ascent_begun], rising)
    assert rising.phase == Phase.ASCENT
    assert rising.bottom_between(first.start_s, first.end_s) == pytest.approx(
        (first.bottom_entered_s, first.bottom_left_s))
