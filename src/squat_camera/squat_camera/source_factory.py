"""Chooses the frame source from `video_device` alone, as usb_cam users expect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from squat_camera.config import CameraSettings
from squat_camera.reconnecting_source import ReconnectingSource
from squat_camera.v4l2_source import V4L2Source, is_device
from squat_common.frame_sources import FrameSource, open_media


def open_source(settings: CameraSettings, now_ns: Callable[[], int],
                warn: Callable[[str], None], info: Callable[[str], None],
                stop: threading.Event) -> FrameSource:
    """An opened source for `settings.video_device`; SourceError names it and the reason."""
    stream = settings.stream
    if is_device(settings.video_device):
        device = V4L2Source(settings.video_device, now_ns, stream.image_width,
                            stream.image_height, stream.framerate, settings.pixel_format)
        source: FrameSource = ReconnectingSource(device, warn, info, stop)
        source.open()
        return source
    return open_media(Path(settings.video_device), now_ns, stream.framerate, stream.loop,
                      settings.start_offset_s, stream.start_ns)
