"""CameraInfo from calibration YAML, from a field of view, and rescaled to the published size."""

from __future__ import annotations

import math

import pytest

from squat_common.camera_info import CameraInfoError, load_calibration, pinhole_info, scaled_to

CALIBRATION = """\
image_width: 640
image_height: 480
camera_name: front
camera_matrix:
  rows: 3
  cols: 3
  data: [600.5, 0, 321.25, 0, 601.75, 239.5, 0, 0, 1]
distortion_model: plumb_bob
distortion_coefficients:
  rows: 1
  cols: 5
  data: [0.1, -0.2, 0.001, 0.002, 0.0]
rectification_matrix:
  rows: 3
  cols: 3
  data: [1, 0, 0, 0, 1, 0, 0, 0, 1]
projection_matrix:
  rows: 3
  cols: 4
  data: [600.5, 0, 321.25, 0, 0, 601.75, 239.5, 0, 0, 0, 1, 0]
"""


def test_calibration_file_is_loaded(tmp_path):
    path = tmp_path / "front.yaml"
    path.write_text(CALIBRATION)
    info = load_calibration(f"file://{path}")
    assert (info.width, info.height) == (640, 480)
    assert list(info.k) == [600.5, 0, 321.25, 0, 601.75, 239.5, 0, 0, 1]
    assert list(info.d) == pytest.approx([0.1, -0.2, 0.001, 0.002, 0.0])
    assert info.distortion_model == "plumb_bob"
    assert list(info.p)[:3] == [600.5, 0, 321.25]


@pytest.mark.parametrize("url, reason", [
    ("http://example.com/x.yaml", "only file:// and package://"),
    ("file:///nonexistent/cal.yaml", "cannot read /nonexistent/cal.yaml"),
    ("package://squat_no_such_package/cal.yaml", "package 'squat_no_such_package' not found"),
])
def test_unusable_urls_are_refused_with_the_reason(url, reason):
    with pytest.raises(CameraInfoError, match=reason):
        load_calibration(url)


def test_incomplete_calibration_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("image_width: 640\nimage_height: 480\ncamera_matrix: {data: [1, 2]}\n")
    with pytest.raises(CameraInfoError, match="camera_matrix needs 9 numbers"):
        load_calibration(f"file://{path}")


def test_pinhole_from_field_of_view():
    info = pinhole_info(640, 480, 90.0)
    assert info.k[0] == pytest.approx(320.0)  # tan(45°) = 1
    assert (info.k[2], info.k[5]) == (319.5, 239.5)  # pixel centres at integers
    assert info.k[4] == info.k[0]
    assert list(info.d) == [0.0] * 5
    assert info.p[0] == info.k[0] and info.p[3] == 0.0


def test_pinhole_focal_length_matches_the_angle():
    info = pinhole_info(406, 720, 60.0)
    assert 2 * math.degrees(math.atan(203 / info.k[0])) == pytest.approx(60.0)


def test_scaling_keeps_the_angles(tmp_path):
    info = pinhole_info(640, 480, 70.0)
    half = scaled_to(info, 320, 240)
    assert (half.width, half.height) == (320, 240)
    assert half.k[0] == pytest.approx(info.k[0] / 2)
    assert (half.k[2], half.k[5]) == pytest.approx((159.5, 119.5))  # still the centre
    assert (half.p[2], half.p[6]) == pytest.approx((159.5, 119.5))
    assert half.p[0] == pytest.approx(info.p[0] / 2)
    assert scaled_to(info, 640, 480) is info
