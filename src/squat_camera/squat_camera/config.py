"""The camera node's configuration: usb_cam's parameter names, checked before anything starts."""

from __future__ import annotations

from dataclasses import dataclass, field

from squat_camera.virtual_athlete.spec import AthleteSpec

ENCODINGS = ("bgr8", "rgb8", "mono8")
PIXEL_FORMATS = ("mjpeg", "yuyv")
VIRTUAL = "virtual"


@dataclass(frozen=True)
class CameraConfig:
    """Everything the camera node needs; ranges are enforced by the parameter descriptors."""

    video_device: str
    camera_name: str
    frame_id: str
    image_width: int
    image_height: int
    framerate: float
    pixel_format: str
    encoding: str
    camera_info_url: str
    fov_deg: float
    publish_compressed: bool
    jpeg_quality: int
    loop: bool
    start_offset_s: float
    wait_for_subscriber: bool
    # Only for video_device "virtual": the athlete and the virtual camera's place and timing.
    athlete: AthleteSpec = field(default_factory=AthleteSpec)
    athlete_camera_position: tuple[float, float, float] = (3.5, 0.0, 1.0)
    athlete_camera_look_at: tuple[float, float, float] = (0.0, 0.0, 0.8)
    athlete_noise: float = 2.0
    athlete_start_time_s: float = 0.0
    world_frame: str = "world"

    def problems(self) -> list[str]:
        """Why this configuration cannot run, one reason per bad value; empty when it can."""
        found = []
        if not self.video_device:
            found.append("video_device is empty: give a device (/dev/video0 or 0), "
                         "a video file or an image folder")
        if self.video_device == VIRTUAL:
            found += [f"athlete: {problem}" for problem in self.athlete.problems()]
        if not self.camera_name:
            found.append("camera_name is empty")
        if self.pixel_format not in PIXEL_FORMATS:
            found.append(f"pixel_format {self.pixel_format!r} is not one of "
                         f"{', '.join(PIXEL_FORMATS)}")
        if self.encoding not in ENCODINGS:
            found.append(f"encoding {self.encoding!r} is not one of {', '.join(ENCODINGS)}")
        return found
