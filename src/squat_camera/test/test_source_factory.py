"""Which source camera_node opens for a video_device, the errors it gives, its settings."""

from __future__ import annotations

import re
import threading

import pytest

from squat_camera.config import CameraSettings
from squat_camera.source_factory import open_source
from squat_common.frame_sources import SourceError
from squat_common.settings import with_values


@pytest.mark.parametrize("make, reason", [
    (lambda p: p / "missing.mp4", "no such file, folder or device"),
    (lambda p: (p / "fake.mp4").write_text("just text") and p / "fake.mp4",
     "OpenCV cannot decode it as video"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "the folder holds no images"),
])
def test_bad_sources_name_the_path_and_the_reason(tmp_path, make, reason):
    path = make(tmp_path)
    settings = with_values(CameraSettings(), {"video_device": str(path)})
    with pytest.raises(SourceError, match=reason) as error:
        open_source(settings, lambda: 0, print, print, threading.Event())
    assert str(path) in str(error.value)


@pytest.mark.parametrize("values, reason", [
    ({"pixel_format": "h264"}, "pixel_format 'h264' is not one of mjpeg, yuyv"),
    ({"encoding": "bgra8"}, "encoding 'bgra8' is not one of bgr8, rgb8, mono8"),
    ({"video_device": ""}, "video_device is empty"),
    ({"image_width": 0}, "image_width 0 is outside 1..7680 px"),
    ({"framerate": float("nan")}, "framerate must be a finite number"),
])
def test_settings_problems_are_named(values, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        with_values(CameraSettings(), values)


def test_default_settings_are_valid():
    assert with_values(CameraSettings(), {"video_device": "0"}).video_device == "0"
