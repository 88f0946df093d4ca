"""The answer sheet's pure parts on synthetic squats: building, the file, alignment, scores."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from poses import side_squat
from squat_pose.alignment import OnlineAligner, align_rep
from squat_pose.analysis import SquatAnalyzer
from squat_pose.phases import Phase
from squat_pose.reference import (
    BOTTOM_SAMPLE,
    SAMPLES,
    ReferenceError,
    ReferenceRecorder,
    RepSpan,
    load_reference,
    save_reference,
)
from squat_pose.scoring import ScoreSettings, frame_score, rep_score, similarity

FPS = 30.0


def knee_curve(t: float, stretch: float = 1.0, delay: float = 0.0, depth: float = 120.0
               ) -> float:
    """Standing 1 s, down 1.6 s, 0.3 s at the bottom, up 1.2 s, standing: one rep, eased."""
    t = (t - delay) / stretch
    descent, pause, ascent = 1.6, 0.3, 1.2
    if t < 1.0:
        share = 0.0
    elif t < 1.0 + descent:
        share = 0.5 - 0.5 * math.cos(math.pi * (t - 1.0) / descent)
    elif t < 1.0 + descent + pause:
        share = 1.0
    elif t < 1.0 + descent + pause + ascent:
        share = 0.5 + 0.5 * math.cos(math.pi * (t - 1.0 - descent - pause) / ascent)
    else:
        share = 0.0
    return 5.0 + depth * share


def session(stretch: float = 1.0, delay: float = 0.0, depth: float = 120.0,
            fps: float = FPS, facing: float = 1.0):
    """Analyse a synthetic side-view session: (frames, reports), frames as
    (t, smoothed measures, poses, analysis)."""
    analyzer = SquatAnalyzer()
    frames = []
    length = (1.0 + 3.1 + 1.5) * stretch + delay
    for k in range(int(length * fps)):
        t = k / fps
        pose = side_squat(knee_curve(t, stretch, delay, depth), facing)
        analysis = analyzer.update(t, None, pose)
        frames.append((t, {n: m.value for n, m in analysis.measures.items()},
                       {"side": pose}, analysis))
    analyzer.finish()
    return frames, analyzer.reports


def build(frames, reports, fps: float = FPS):
    recorder = ReferenceRecorder()
    for t, values, poses, _ in frames:
        recorder.add(t, values, poses)
    reps = [RepSpan(r.rep.start_s, r.rep.bottom_s, r.rep.end_s, not r.faults)
            for r in reports]
    return recorder.build("synthetic", {"side": "synthetic"}, fps, reps)


@pytest.fixture(scope="module")
def reference():
    return build(*session())


def test_a_reference_holds_one_canonical_rep_and_survives_its_file(reference, tmp_path):
    assert len(reference.reps) == 1 and reference.canonical.reps_used == 1
    knee = reference.canonical.mean["knee_flexion"]
    assert knee.shape == (SAMPLES,) and knee[SAMPLES // 2] == pytest.approx(125, abs=3)
    assert reference.views == ["side"]
    path = tmp_path / "reference.json"
    save_reference(reference, path)
    json.loads(path.read_text())  # strict JSON
    loaded = load_reference(path)
    assert loaded.content_hash == reference.content_hash
    assert np.allclose(loaded.canonical.mean["knee_flexion"], knee, equal_nan=True)


@pytest.mark.parametrize("damage, reason", [
    (lambda text: "not json", "not JSON"),
    (lambda text: json.dumps({"format": "something else"}), "not a squat coach reference"),
    (lambda text: text.replace('"version":1', '"version":99'), "version 99"),
    (lambda text: text.replace('"reps_used":1', '"reps_used":2'), "does not match its hash"),
    (lambda text: text[: len(text) // 2], "not JSON"),
])
def test_a_damaged_reference_is_refused_with_the_reason(reference, tmp_path, damage, reason):
    path = tmp_path / "reference.json"
    save_reference(reference, path)
    path.write_text(damage(path.read_text()))
    with pytest.raises(ReferenceError, match=reason):
        load_reference(path)


def test_no_rep_no_reference():
    frames, _ = session()
    recorder = ReferenceRecorder()
    for t, values, poses, _ in frames[:20]:
        recorder.add(t, values, poses)
    with pytest.raises(ReferenceError, match="no full rep"):
        recorder.build("x", {}, FPS, [])


@pytest.mark.parametrize("stretch", [0.7, 1.4])
def test_a_stretched_late_squat_aligns_back_to_the_original(reference, stretch):
    delay = 1.5
    frames, reports = session(stretch, delay)
    assert len(reports) == 1
    rep = reports[0].rep
    inside = [f for f in frames if rep.start_s <= f[0] <= rep.end_s]
    times = np.array([f[0] for f in inside])
    truth = np.array([round((t - delay) / stretch * FPS) for t in times])
    angles = {"knee_flexion": np.array([f[1].get("knee_flexion_left", np.nan) for f in inside]),
              "hip_flexion": np.array([f[1].get("hip_flexion_left", np.nan) for f in inside])}
    offline = reference.canonical.frames[np.round(align_rep(
        times, angles, rep.start_s, rep.bottom_s, rep.end_s, reference.canonical)).astype(int)]
    aligner = OnlineAligner(reference.canonical)
    online = []
    for t, values, _, analysis in frames:
        sample = aligner.update(analysis.phase, values.get("knee_flexion_left"))
        if rep.start_s <= t <= rep.end_s:
            online.append(reference.canonical.frames[round(sample or 0)])
    # Frames of the reference recording, root mean square.
    assert np.sqrt(np.mean((offline - truth) ** 2)) <= 2.0
    assert np.sqrt(np.mean((np.array(online) - truth) ** 2)) <= 4.0


def test_a_rep_begun_before_the_last_one_straightened_aligns_from_its_start(reference):
    aligner = OnlineAligner(reference.canonical)
    rep = ([(Phase.STANDING, 5.0)] * 10 + [(Phase.DESCENT, 5.0 + k) for k in range(0, 115, 5)]
           + [(Phase.BOTTOM, 120.0)] * 5 + [(Phase.ASCENT, 120.0 - k) for k in range(0, 95, 5)])
    for phase, knee in rep:
        aligner.update(phase, knee)
    # Called standing at 25 deg, the athlete sinks into the next rep without straightening.
    assert aligner.update(Phase.STANDING, 25.0) > 80
    samples = [aligner.update(Phase.DESCENT, knee) for knee in (35.0, 50.0, 70.0)]
    assert samples == sorted(samples) and samples[0] < BOTTOM_SAMPLE / 2, samples


def rep_points(reference, **variation) -> float:
    frames, reports = session(**variation)
    rep = reports[0].rep
    inside = [f for f in frames if rep.start_s <= f[0] <= rep.end_s]
    times = np.array([f[0] for f in inside])
    from squat_pose.reference import channels

    per_frame = [channels(f[1]) for f in inside]
    angles = {c: np.array([a.get(c, np.nan) for a in per_frame])
              for c in ("knee_flexion", "hip_flexion")}
    samples = align_rep(times, angles, rep.start_s, rep.bottom_s, rep.end_s,
                        reference.canonical)
    return rep_score(zip(per_frame, samples, strict=True), reference.canonical,
                     ScoreSettings()).score


def test_the_same_squat_scores_full_and_a_shallower_one_less_the_shallower_it_is(reference):
    assert rep_points(reference) > 97
    scores = [rep_points(reference, depth=depth) for depth in (120.0, 100.0, 80.0, 60.0)]
    assert scores == sorted(scores, reverse=True) and scores[0] - scores[-1] > 20


def test_tempo_mirroring_and_frame_rate_do_not_change_the_score(reference):
    base = rep_points(reference)
    for variation in ({"stretch": 0.6}, {"stretch": 1.6}, {"facing": -1.0}, {"fps": 60.0}):
        assert abs(rep_points(reference, **variation) - base) <= 3, variation


def test_frame_score_bands_and_similarity(reference):
    canonical = reference.canonical
    bottom = SAMPLES // 2
    knee = float(canonical.mean["knee_flexion"][bottom])
    settings = ScoreSettings()
    assert frame_score({"knee_flexion": knee + 5}, bottom, canonical, settings)[0] == 100
    lower, differences = frame_score({"knee_flexion": knee - 21}, bottom, canonical, settings)
    assert lower == pytest.approx(50) and differences["knee_flexion"] == pytest.approx(-21)
    assert math.isnan(frame_score({}, bottom, canonical, settings)[0])
    pose = canonical.poses["side"][bottom]
    assert similarity(pose, None, bottom, "side", canonical) == pytest.approx(1.0)
    assert math.isnan(similarity(None, None, bottom, "side", canonical))
    assert math.isnan(similarity(pose, None, bottom, "front", canonical))


def test_the_ghost_is_the_reference_pose_on_the_athlete_and_drawn_in_its_colour(reference):
    from squat_pose.overlay import GHOST, draw_overlay
    from squat_pose.reference import normalised_pose, placed_on

    athlete = side_squat(60.0, facing=-1.0)
    # A pose placed on itself comes back where it was, mirrored or not.
    points = normalised_pose(athlete, "side")
    assert np.allclose(placed_on(points, athlete, "side"), athlete.pixels)
    ghost = placed_on(reference.canonical.poses["side"][SAMPLES // 2], athlete, "side")
    image = np.zeros((480, 640, 3), np.uint8)
    drawn = draw_overlay(image, "side", None, None, ghost=ghost)
    assert (drawn == GHOST).all(axis=2).sum() > 50, "the ghost's bones are drawn"
    assert not (draw_overlay(image, "side", None, None) == GHOST).all(axis=2).any()
