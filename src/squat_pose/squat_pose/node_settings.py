"""pose_node's settings: each field a parameter with its one default. Imports no rclpy."""

from __future__ import annotations

from dataclasses import dataclass

from squat_common.settings import group, setting
from squat_pose.analysis import AnalyzerSettings
from squat_pose.pose_estimation import EstimatorSettings
from squat_pose.reference import BUILTIN
from squat_pose.scoring import ScoreSettings

# Two free-running cameras are up to half a period apart; with a slop of exactly half, phases
# near that bound lose a third of the pairs or more to jitter (bench_sync.py, and real footage
# here). 0.6 of a period keeps every pair at 20 ms at most.
SLOP_PERIODS = 0.6
IMAGE_TRANSPORTS = ("raw", "compressed")


@dataclass(frozen=True)
class PoseNodeSettings:
    """Pairing, MediaPipe, the analysis (phases.*, faults.*) and what is published."""

    nominal_fps: float = setting(
        30.0, "Nominal camera frame rate; sets the default sync_slop_s.", unit="Hz", low=1.0,
        high=240.0, read_only=True)
    sync_queue_size: int = setting(
        10, "Frames kept per camera while waiting for a partner.", low=1, high=1000,
        read_only=True)
    sync_slop_s: float = setting(
        0.0, f"Largest capture-time difference of a front/side pair; 0: {SLOP_PERIODS} of the "
        "nominal frame period.", unit="s", low=0.0, high=1.0, read_only=True)
    image_transport: str = setting(
        "raw", "Which camera stream is analysed: 'raw' (<camera>/image_raw) or 'compressed' "
        "(<camera>/image_raw/compressed, the JPEG a session bag records, so a replay analyses "
        "the very pixels the live session did).", choices=IMAGE_TRANSPORTS, read_only=True)
    processing_queue_size: int = setting(
        3, "Pairs waiting for MediaPipe; a stall longer than this many frames drops the oldest "
        "(pairs_dropped_behind in diagnostics).", low=1, high=100, read_only=True)
    marker_distance_m: float = setting(
        3.0, "Distance in front of the camera at which squat/markers draws the skeleton.",
        unit="m", low=0.0, high=20.0)
    publish_overlays: bool = setting(
        True, "Publish annotated images on squat/overlay/{front,side} (drawn only while "
        "subscribed).")
    reference_path: str = setting(
        BUILTIN, f"Reference file to score against (coach reference build; the SetReference "
        f"service sets it too); '{BUILTIN}': the built-in textbook squat; empty: no reference, "
        "scores are NaN. A file that does not load is refused and the reference in use stays.")
    calibration_path: str = setting(
        "", "Rig calibration (YAML) of the front and side cameras: every measure is then "
        "taken from the landmarks triangulated from both views, and faults are judged in 3D "
        "whichever way the cameras stand round the athlete; empty, or a file that cannot be used "
        "(logged with the reason): each view's own image.",
        read_only=True)
    pose: EstimatorSettings = group(EstimatorSettings)
    analysis: AnalyzerSettings = group(AnalyzerSettings, prefix="")
    scoring: ScoreSettings = group(ScoreSettings)

    @property
    def slop_s(self) -> float:
        """The pairing slop in force."""
        return self.sync_slop_s or SLOP_PERIODS / self.nominal_fps
