"""How close a frame and a rep are to the reference: similarity, deviations and a 0-100 score.

Frame score: for each named angle measured in the frame and in the reference at the matched
sample, the difference d from the reference's mean. Inside the tolerance band (the larger of
`band_min_deg` and `band_spread` times the reference's spread there) the angle scores 100;
beyond it the score falls linearly to 0 at `falloff_deg` past the band. The frame score is the
weighted mean over the angles present (weights per angle; 0 leaves an angle out).
Rep score: the mean frame score over the rep's frames (aligned offline), minus a penalty per
fault by severity (`penalty_low`, `penalty_medium`, `penalty_high` points), never below 0.
Time is normalised by the alignment, so tempo changes no score unless `weight_tempo` is set:
then the descent and ascent durations are scored like angles, in percent of the reference's.
Similarity per view: cosine of the centred, torso-scaled body keypoints (face left out) of the
frame and of the reference at the matched sample, over the joints seen in both; NaN when the
view sees nobody. Imports no rclpy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from squat_common.names import SEVERITY_HIGH, SEVERITY_LOW, SEVERITY_MEDIUM
from squat_common.settings import setting
from squat_pose.reference import BOTTOM_SAMPLE, CHANNELS, SAMPLES, CanonicalRep

BODY = list(range(11, 33))  # shoulders to feet: MediaPipe's face points say nothing of a squat
PHASE_OF_SAMPLE = (("descent", 0, BOTTOM_SAMPLE - 5), ("bottom", BOTTOM_SAMPLE - 5,
                                                      BOTTOM_SAMPLE + 6),
                   ("ascent", BOTTOM_SAMPLE + 6, SAMPLES))


@dataclass(frozen=True)
class ScoreSettings:
    """The score's weights and bands; pose_node parameters scoring.<name>, live."""

    weight_knee_flexion: float = setting(1.0, "Weight of knee flexion in the frame score.",
                                         low=0.0, high=10.0)
    weight_hip_flexion: float = setting(1.0, "Weight of hip flexion in the frame score.",
                                        low=0.0, high=10.0)
    weight_trunk_lean: float = setting(1.0, "Weight of trunk lean in the frame score.",
                                       low=0.0, high=10.0)
    weight_ankle_dorsiflexion: float = setting(
        0.5, "Weight of ankle dorsiflexion in the frame score.", low=0.0, high=10.0)
    # 0 by default: a front camera's projection angle mixes knee flexion into "valgus" at
    # depth (tens of degrees between two placements of the same squat), so it would score the
    # camera, not the knee. The knee_valgus fault still takes its points off.
    weight_knee_valgus: float = setting(0.0, "Weight of knee valgus in the frame score.",
                                        low=0.0, high=10.0)
    weight_tempo: float = setting(
        0.0, "Weight of tempo (descent and ascent time against the reference's) in the rep "
        "score; 0: tempo is not scored.", low=0.0, high=10.0)
    band_min_deg: float = setting(6.0, "Narrowest tolerance band around the reference.",
                                  unit="deg", low=0.0, high=45.0)
    band_spread: float = setting(
        2.0, "The band is this many of the reference's standard deviations wide where its "
        "reps varied more.", low=0.0, high=10.0)
    falloff_deg: float = setting(30.0, "Beyond the band an angle loses all its points over "
                                 "this many degrees.", unit="deg", low=1.0, high=180.0)
    penalty_low: float = setting(5.0, "Points a low-severity fault takes off the rep score.",
                                 unit="points", low=0.0, high=100.0)
    penalty_medium: float = setting(10.0, "Points a medium-severity fault takes off.",
                                    unit="points", low=0.0, high=100.0)
    penalty_high: float = setting(20.0, "Points a high-severity fault takes off.",
                                  unit="points", low=0.0, high=100.0)

    def weight(self, channel: str) -> float:
        """The weight of a named angle."""
        return float(getattr(self, f"weight_{channel}", 0.0))

    def penalty(self, severity: int) -> float:
        """Points off the rep score for one fault of `severity`."""
        return {SEVERITY_LOW: self.penalty_low, SEVERITY_MEDIUM: self.penalty_medium,
                SEVERITY_HIGH: self.penalty_high}.get(severity, self.penalty_high)


@dataclass(frozen=True)
class Deviation:
    """Where a rep differed most from the reference: angle, phase, signed degrees."""

    channel: str
    phase: str
    degrees: float  # this rep minus the reference, beyond nothing: the raw difference


@dataclass(frozen=True)
class RepScore:
    """A rep's score and its largest deviations (worst first)."""

    score: float
    frame_scores: tuple[float, ...]
    deviations: tuple[Deviation, ...]


def phase_of(sample: float) -> str:
    """descent, bottom or ascent: where on the canonical rep a sample lies."""
    for name, first, last in PHASE_OF_SAMPLE:
        if first <= sample < last:
            return name
    return "ascent"


def _at(curve: np.ndarray, sample: float) -> float:
    s = float(np.clip(sample, 0, SAMPLES - 1))
    low = math.floor(s)
    high = min(low + 1, SAMPLES - 1)
    a, b = curve[low], curve[high]
    if not math.isfinite(a) or not math.isfinite(b):
        return float(a if math.isfinite(a) else b)
    return float(a + (b - a) * (s - low))


def angle_points(difference: float, band: float, settings: ScoreSettings) -> float:
    """0..100 for one angle `difference` degrees off the reference with tolerance `band`."""
    excess = max(0.0, abs(difference) - band)
    return 100.0 * max(0.0, 1.0 - excess / settings.falloff_deg)


def frame_score(angles: Mapping[str, float], sample: float, canonical: CanonicalRep,
                settings: ScoreSettings) -> tuple[float, dict[str, float]]:
    """The frame's score (NaN when no weighted angle is measured in both) and each angle's
    difference from the reference (degrees, this frame minus the reference)."""
    total = weights = 0.0
    differences = {}
    for channel in CHANNELS:
        value, weight = angles.get(channel), settings.weight(channel)
        if value is None or not math.isfinite(value) or channel not in canonical.mean:
            continue
        reference = _at(canonical.mean[channel], sample)
        if not math.isfinite(reference):
            continue
        difference = value - reference
        differences[channel] = difference
        if weight <= 0:
            continue
        spread = _at(canonical.spread[channel], sample)
        band = max(settings.band_min_deg,
                   settings.band_spread * (spread if math.isfinite(spread) else 0.0))
        total += weight * angle_points(difference, band, settings)
        weights += weight
    return (total / weights if weights else math.nan), differences


def similarity(points: np.ndarray | None, visibility: np.ndarray | None, sample: float,
               view: str, canonical: CanonicalRep, min_visibility: float = 0.5) -> float:
    """Cosine similarity of a frame's normalised keypoints (see reference.normalised_pose)
    and the reference's at `sample`, over the body joints seen in both; NaN if none."""
    if points is None or view not in canonical.poses:
        return math.nan
    reference = canonical.poses[view][round(float(np.clip(sample, 0, SAMPLES - 1)))]
    joints = [j for j in BODY if np.isfinite(reference[j]).all() and np.isfinite(points[j]).all()
              and (visibility is None or visibility[j] >= min_visibility)]
    if len(joints) < 4:
        return math.nan
    a, b = points[joints].ravel(), reference[joints].ravel()
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / norm) if norm > 0 else math.nan


def rep_score(frames: Iterable[tuple[Mapping[str, float], float]], canonical: CanonicalRep,
              settings: ScoreSettings, fault_severities: Iterable[int] = (),
              tempo: tuple[float, float] | None = None,
              reference_tempo: tuple[float, float] | None = None) -> RepScore:
    """The score of a rep from its frames' (angles, aligned sample); its largest deviations."""
    scores, worst = [], {}
    for angles, sample in frames:
        score, differences = frame_score(angles, sample, canonical, settings)
        if math.isfinite(score):
            scores.append(score)
        for channel, difference in differences.items():
            if settings.weight(channel) > 0 and \
                    abs(difference) > abs(worst.get(channel, (0.0, ""))[0]):
                worst[channel] = (difference, phase_of(sample))
    if not scores:
        return RepScore(math.nan, (), ())
    score = float(np.mean(scores))
    if settings.weight_tempo > 0 and tempo and reference_tempo:
        tempo_points = [100.0 * max(0.0, 1.0 - abs(mine / theirs - 1.0))
                        for mine, theirs in zip(tempo, reference_tempo, strict=True)
                        if theirs > 0]
        weights = sum(settings.weight(c) for c in CHANNELS)
        score = (score * weights + settings.weight_tempo * float(np.mean(tempo_points))) / \
            (weights + settings.weight_tempo)
    score -= sum(settings.penalty(severity) for severity in fault_severities)
    deviations = tuple(Deviation(channel, phase, float(difference)) for channel, (difference,
                       phase) in sorted(worst.items(), key=lambda item: -abs(item[1][0])))
    return RepScore(float(np.clip(score, 0.0, 100.0)), tuple(scores), deviations)
