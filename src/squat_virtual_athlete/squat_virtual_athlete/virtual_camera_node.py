"""virtual_camera_node: the rendered athlete as a camera, on camera_node's topics.

Publishes image_raw, image_raw/compressed, camera_info (the true intrinsics), /diagnostics and,
where tf2_ros is installed, the camera's pose as a static transform from `world_frame`. Every
virtual camera given the same `start_time` renders the same instants, so their stamps are
identical with no link between the nodes but their clocks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rclpy.node import Node

from squat_common.camera_streamer import CameraStreamer, StreamSettings, camera_names
from squat_common.frame_sources import SourceError
from squat_common.node_runner import NodeConfigurationError, run_node
from squat_common.parameters import NodeParameters
from squat_common.settings import group, setting
from squat_virtual_athlete.camera import DEFAULT_AIM, DEFAULT_POSITIONS, VirtualCamera
from squat_virtual_athlete.spec import AthleteSpec
from squat_virtual_athlete.virtual_source import VirtualAthleteSource, VirtualRig

DEFAULT_FPS = 30.0


@dataclass(frozen=True)
class Placement:
    """Where the virtual camera stands and what its sensor adds."""

    view: str = setting(
        "", "Default place of the camera: front or side (3.5 m away, lens at 1 m); empty: the "
        "camera name where it is one of those, else front.", choices=("", *DEFAULT_POSITIONS),
        read_only=True)
    camera_position: tuple[float, ...] = setting(
        (), "Camera position [x, y, z] in the world frame: x forward of the athlete, y to the "
        "athlete's left, z up; empty: the view's default.", unit="m", read_only=True)
    camera_look_at: tuple[float, ...] = setting(
        DEFAULT_AIM, "Point [x, y, z] in the world frame the camera aims at.", unit="m",
        read_only=True)
    noise: float = setting(2.0, "Sensor noise sigma of the camera.", unit="grey levels",
                           low=0.0, high=50.0, read_only=True)

    def problems(self) -> list[str]:
        """Positions that are not points."""
        return [f"athlete.{name} needs three numbers [x, y, z], got {list(value)}"
                for name, value in (("camera_position", self.camera_position),
                                    ("camera_look_at", self.camera_look_at))
                if len(value) not in ((0, 3) if name == "camera_position" else (3,))]


@dataclass(frozen=True)
class VirtualCameraSettings:
    """Everything virtual_camera_node is told: camera topics, the athlete, the placement."""

    stream: StreamSettings = group(StreamSettings, prefix="")
    athlete: AthleteSpec = group(AthleteSpec)
    placement: Placement = group(Placement, prefix="athlete")


def virtual_camera(settings: VirtualCameraSettings, camera_name: str) -> VirtualCamera:
    """The virtual camera the settings place (ValueError where it cannot look at the aim)."""
    placement, stream = settings.placement, settings.stream
    view = placement.view or (camera_name if camera_name in DEFAULT_POSITIONS else "front")
    position = placement.camera_position or DEFAULT_POSITIONS[view]
    return VirtualCamera.looking_at(camera_name, position, placement.camera_look_at,
                                    stream.image_width, stream.image_height, stream.fov_deg)


class VirtualCameraNode(Node):
    """Thin node: parameters in; the athlete's frames on the camera topics out."""

    def __init__(self) -> None:
        super().__init__("virtual_camera_node")
        self._settings = NodeParameters(
            self, VirtualCameraSettings(),
            on_change=lambda s, _: self._streamer.update(s.stream))
        settings = self._settings.value
        stream = settings.stream
        camera_name, _ = camera_names(stream, self.get_namespace())
        try:
            camera = virtual_camera(settings, camera_name)
        except ValueError as error:
            raise NodeConfigurationError(f"cannot place the virtual camera: {error}") from error
        rig = VirtualRig(camera, stream.framerate or DEFAULT_FPS, stream.start_ns,
                         stream.loop or stream.start_ns == 0, settings.placement.noise)
        source = VirtualAthleteSource(settings.athlete, rig,
                                      lambda: self.get_clock().now().nanoseconds)
        try:
            source.open()
        except SourceError as error:
            raise NodeConfigurationError(str(error)) from error
        self._streamer = CameraStreamer(self, stream, source, threading.Event(),
                                        hardware_id="virtual athlete")

    def destroy_node(self) -> None:
        self._streamer.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run virtual_camera_node until shutdown; 1 when it cannot start."""
    return run_node(VirtualCameraNode, "virtual_camera_node", args)
