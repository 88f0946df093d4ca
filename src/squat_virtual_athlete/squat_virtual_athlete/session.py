"""One virtual squat session seen by any number of cameras: frames and their ground truth.

Every camera renders the same athlete at the same instant, so frames of one time carry the same
truth in all views. Imports no rclpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from squat_virtual_athlete.body_mesh import BodyMesh, Primitive, body_primitives
from squat_virtual_athlete.camera import VirtualCamera
from squat_virtual_athlete.ground_truth import anatomical_angles, view_truth
from squat_virtual_athlete.motion import PHASE_NAMES, MotionState, SquatProgram
from squat_virtual_athlete.renderer import AthleteRenderer
from squat_virtual_athlete.skeleton import Skeleton, SkeletonModel
from squat_virtual_athlete.spec import AthleteSpec, SpecError


@dataclass(frozen=True)
class Instant:
    """The athlete at one time: motion, skeleton and posed volumes."""

    motion: MotionState
    skeleton: Skeleton
    parts: list[Primitive]


class VirtualSession:
    """The athlete of `spec` and a renderer per camera."""

    def __init__(self, spec: AthleteSpec, cameras: list[VirtualCamera],
                 noise_sigma: float = 2.0) -> None:
        problems = spec.problems()
        if problems:
            raise SpecError("; ".join(problems))
        names = [c.name for c in cameras]
        if len(set(names)) != len(names):
            raise SpecError(f"camera names must differ: {names}")
        self.spec = spec
        self.program = SquatProgram(spec)
        self._model = SkeletonModel(spec)
        rest = self._model.pose(self.program.at(0.0))
        mesh = BodyMesh(spec, body_primitives(spec, rest))
        self.cameras = {c.name: c for c in cameras}
        self._renderers = {c.name: AthleteRenderer(c, mesh, spec.seed, noise_sigma)
                           for c in cameras}

    def at(self, time_s: float) -> Instant:
        """The athlete `time_s` seconds into the session."""
        motion = self.program.at(time_s)
        skeleton = self._model.pose(motion)
        return Instant(motion, skeleton, body_primitives(self.spec, skeleton))

    def render(self, camera: str, instant: Instant, frame_index: int) -> np.ndarray:
        """The bgr8 frame of `camera` at `instant`."""
        return self._renderers[camera].render(instant.parts, frame_index)

    def truth(self, instant: Instant, frame_index: int) -> dict:
        """The ground-truth record of one frame (plain JSON types)."""
        motion, landmarks = instant.motion, instant.skeleton.landmarks
        return {
            "index": frame_index,
            "time_s": round(motion.time_s, 6),
            "phase": PHASE_NAMES[motion.phase],
            "rep": motion.rep,
            "reps_completed": motion.reps_completed,
            "faults": {name: round(size, 4) for name, size in motion.faults.items()},
            "angles": {name: round(value, 4) for name, value in
                       anatomical_angles(landmarks).items()},
            "landmarks_3d": {name: [round(float(v), 5) for v in point]
                             for name, point in landmarks.items()},
            "views": {name: view_truth(camera, instant.parts, landmarks)
                      for name, camera in self.cameras.items()},
        }
