"""Fitting frames into the published size, and the camera's running figures."""

from __future__ import annotations

import math

import numpy as np

from squat_common.camera_stats import CameraStatistics
from squat_common.frame_size import fit_within


def test_a_portrait_video_is_scaled_to_fit_without_distortion():
    frame = np.zeros((720, 406, 3), np.uint8)
    assert fit_within(frame, 640, 480).shape == (480, 271, 3)


def test_a_small_frame_is_not_enlarged():
    frame = np.zeros((360, 640, 3), np.uint8)
    assert fit_within(frame, 640, 480) is frame


def test_stats_fps_drops_and_latency():
    stats = CameraStatistics(nominal_period_s=0.1)
    for index, stamp_ms in enumerate([0, 100, 200, 500, 600]):  # 300..400 missing
        stats.published(stamp_ms * 1_000_000, latency_ms=index + 1.0, now_s=index * 0.1)
    report = stats.report(now_s=0.4)
    assert report.frames_published == 5
    assert report.frames_dropped == 2
    assert report.fps == 10.0
    assert report.latency_p50_ms == 3.0


def test_stats_before_any_frame():
    report = CameraStatistics(nominal_period_s=1 / 30).report(now_s=5.0)
    assert (report.frames_published, report.fps) == (0, 0.0)
    assert math.isnan(report.latency_p95_ms)
