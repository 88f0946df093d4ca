"""The virtual athlete as a camera node's frame source (`video_device: virtual`).

Frames are due on a grid of the node's clock, k frame periods after `start_ns`, and show the
athlete at that instant. Every camera node with the same start time and frame rate renders the
same instants, so frames of different cameras carry identical stamps and poses, with no link
between the nodes but their clocks. A camera that cannot render every frame in time (a busy
machine) renders every 2nd, 4th or 8th grid point instead of whichever comes next: two starved
cameras then still stamp common instants, and a pose node pairing them loses no more pairs than
the slower camera's frames. Imports no rclpy.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from squat_common.frame_sources import CameraPose, CapturedFrame, Intrinsics, SourceError
from squat_common.rotations import quaternion_xyzw
from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import AthleteSpec, SpecError

# Coarsest grid a starved camera falls back to, in frame periods (a power of two).
MAX_STRIDE = 8
# Back to a finer grid once a frame took less than this share of the coarse grid's period:
# at half the stride it would then take under 0.8 of it.
FINER_BELOW = 0.4


@dataclass(frozen=True)
class VirtualRig:
    """Where the virtual camera stands and how its frames are timed."""

    camera: VirtualCamera
    fps: float = 30.0
    # Session start on the node's clock (ns); 0: the session repeats on the clock's own
    # grid, so any number of cameras agree without being told a start.
    start_ns: int = 0
    loop: bool = True
    noise_sigma: float = 2.0


class VirtualAthleteSource:
    """Renders the athlete of `spec` through `rig.camera` in real time."""

    def __init__(self, spec: AthleteSpec, rig: VirtualRig, now_ns: Callable[[], int],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.spec, self.rig = spec, rig
        self.camera = rig.camera
        self.description = (f"virtual athlete ({spec.reps} reps, faults: "
                            f"{', '.join(f.name for f in spec.faults) or 'none'}) "
                            f"seen by the {rig.camera.name} camera")
        self.decode_failures = 0
        self.nominal_fps = rig.fps
        camera = rig.camera
        self.intrinsics = Intrinsics(camera.width, camera.height, camera.fx, camera.fy,
                                     camera.cx, camera.cy)
        self.pose = CameraPose(tuple(float(v) for v in camera.position),
                               quaternion_xyzw(camera.rotation))
        self._now_ns, self._sleep = now_ns, sleep
        self._period_ns = round(1e9 / rig.fps)
        self._session: VirtualSession | None = None
        self._last_index: int | None = None
        self.stride = 1

    def open(self) -> None:
        try:
            self._session = VirtualSession(self.spec, [self.camera], self.rig.noise_sigma)
        except (SpecError, ValueError) as error:
            raise SourceError(f"cannot render the virtual athlete: {error}") from error
        duration_ns = round(self._session.program.duration_s * 1e9)
        self._frames_per_session = math.ceil(duration_ns / self._period_ns)

    def read(self) -> CapturedFrame | None:
        assert self._session is not None, "open() first"
        now = self._now_ns()
        index = -((self.rig.start_ns - now) // self._period_ns)  # ceil: the next grid point
        if self._last_index is not None:
            index = max(index, self._last_index + 1)
        index = -(-index // self.stride) * self.stride
        session_index = index if self.rig.start_ns == 0 else max(index, 0)
        if self.rig.start_ns and not self.rig.loop and session_index >= \
                self._frames_per_session:
            return None
        stamp_ns = self.rig.start_ns + index * self._period_ns
        if stamp_ns > now:
            self._sleep((stamp_ns - now) / 1e9)
        self._last_index = index
        frame_in_session = max(session_index, 0) % self._frames_per_session
        instant = self._session.at(frame_in_session * self._period_ns / 1e9)
        image = self._session.render(self.camera.name, instant, index)
        self._pace(self._now_ns() - stamp_ns)
        return CapturedFrame(image, stamp_ns)

    def _pace(self, late_ns: int) -> None:
        """Coarser grid when this frame was done after the next grid point was due."""
        grid_ns = self.stride * self._period_ns
        if late_ns > grid_ns and self.stride < MAX_STRIDE:
            self.stride *= 2
        elif late_ns < FINER_BELOW * grid_ns and self.stride > 1:
            self.stride //= 2

    def close(self) -> None:
        self._session = None
