"""Chooses the frame source from `video_device` alone, as usb_cam users expect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from squat_camera.config import VIRTUAL, CameraConfig
from squat_camera.reconnecting_source import ReconnectingSource
from squat_camera.sources import (
    FrameSource,
    ImageFolderSource,
    SourceError,
    V4L2Source,
    VideoFileSource,
    is_device,
)
from squat_camera.virtual_athlete.camera import VirtualCamera
from squat_camera.virtual_athlete.virtual_source import VirtualAthleteSource, VirtualRig


def open_source(config: CameraConfig, now_ns: Callable[[], int], warn: Callable[[str], None],
                info: Callable[[str], None], stop: threading.Event) -> FrameSource:
    """An opened source for `config.video_device`; SourceError names the path and the reason."""
    if config.video_device == VIRTUAL:
        source = virtual_source(config, now_ns)
    elif is_device(config.video_device):
        device = V4L2Source(config.video_device, now_ns, config.image_width,
                            config.image_height, config.framerate, config.pixel_format)
        source: FrameSource = ReconnectingSource(device, warn, info, stop)
    else:
        path = Path(config.video_device).expanduser()
        if path.is_dir():
            source = ImageFolderSource(path, now_ns, config.framerate, config.loop)
        elif path.exists():
            source = VideoFileSource(path, now_ns, config.framerate, config.loop,
                                     config.start_offset_s)
        else:
            raise SourceError(f"cannot open {path}: no such file, folder or device")
    source.open()
    return source


def virtual_source(config: CameraConfig, now_ns: Callable[[], int]) -> VirtualAthleteSource:
    """The virtual athlete seen from the configured pose (not yet opened)."""
    try:
        camera = VirtualCamera.looking_at(
            config.camera_name, config.athlete_camera_position, config.athlete_camera_look_at,
            config.image_width, config.image_height, config.fov_deg)
    except ValueError as error:
        raise SourceError(f"cannot place the virtual camera: {error}") from error
    rig = VirtualRig(camera, config.framerate or 30.0, round(config.athlete_start_time_s * 1e9),
                     config.loop or config.athlete_start_time_s == 0, config.athlete_noise)
    return VirtualAthleteSource(config.athlete, rig, now_ns)
