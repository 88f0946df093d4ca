"""Renders the athlete for one camera: a gym background, shaded body triangles, sensor noise.

The background (rubber floor with tile seams, a wall, a soft shadow under the feet) never
changes for a fixed camera, so it is ray-traced once. The body is drawn with the painter's
algorithm: triangles facing the camera, far to near, each Lambert-shaded under one key light
and an ambient term. Sensor noise comes from a bank drawn from the seed, so frames are
byte-identical for the same parameters. Pure numpy + OpenCV; imports no rclpy.
"""

from __future__ import annotations

import cv2
import numpy as np

from squat_virtual_athlete.body_mesh import BodyMesh, Primitive
from squat_virtual_athlete.camera import VirtualCamera

LIGHT = np.array([0.45, 0.35, 0.82]) / np.linalg.norm([0.45, 0.35, 0.82])
AMBIENT, DIFFUSE = 0.42, 0.68
SUBPIXEL_BITS = 2
NOISE_FRAMES = 8


def background(camera: VirtualCamera) -> np.ndarray:
    """The empty gym seen by `camera` (bgr8): floor at z = 0, a wall 2.5 m behind the
    athlete facing the camera, a soft contact shadow around the feet."""
    rays = camera.rays()
    origin = camera.position
    with np.errstate(divide="ignore", invalid="ignore"):
        t_floor = np.where(rays[..., 2] < -1e-6, -origin[2] / rays[..., 2], np.inf)
    look = camera.rotation[:, 2].copy()
    look[2] = 0.0
    look /= np.linalg.norm(look)
    # The wall is perpendicular to the camera's horizontal view, 2.5 m past the athlete.
    wall_offset = np.dot(-origin, look) + 2.5
    with np.errstate(divide="ignore", invalid="ignore"):
        along = rays @ look
        t_wall = np.where(along > 1e-6, wall_offset / along, np.inf)
    hit_floor = t_floor < t_wall
    t = np.where(hit_floor, t_floor, t_wall)
    points = origin + rays * t[..., None]
    image = np.empty(rays.shape, float)

    x, y = points[..., 0], points[..., 1]
    seams = (np.abs((x + 0.5) % 1.0 - 0.5) < 0.008) | (np.abs((y + 0.5) % 1.0 - 0.5) < 0.008)
    floor = np.where(seams, 52.0, 74.0)
    # Soft contact shadow: darker close to the feet, fading out by ~0.6 m.
    shadow = np.exp(-((x + 0.05) ** 2 / 0.18 + y ** 2 / 0.12))
    floor = floor * (1 - 0.45 * shadow)
    image[...] = floor[..., None] * np.array([1.0, 1.02, 1.05])
    height = points[..., 2]
    wall = np.where((height > 0.9) & (height < 1.0), 150.0, 196.0)
    wall_colour = wall[..., None] * np.array([0.92, 1.0, 1.04])
    skirting = height < 0.12
    wall_colour[skirting] = (60.0, 62.0, 66.0)
    image[~hit_floor] = wall_colour[~hit_floor]
    # Light falls off away from the training spot.
    distance = np.linalg.norm(points[..., :2], axis=-1)
    image *= (1.0 - 0.25 * np.clip(distance / 5.0, 0.0, 1.0))[..., None]
    return np.clip(image, 0, 255).astype(np.uint8)


def noise_bank(camera: VirtualCamera, seed: int, sigma: float) -> list[tuple[np.ndarray,
                                                                               np.ndarray]]:
    """Positive and negative parts of a few frames of Gaussian sensor noise (bgr8)."""
    rng = np.random.default_rng([seed, sum(map(ord, camera.name))])
    bank = []
    for _ in range(NOISE_FRAMES):
        noise = np.rint(rng.normal(0.0, sigma, (camera.height, camera.width, 3)))
        bank.append((np.clip(noise, 0, 255).astype(np.uint8),
                     np.clip(-noise, 0, 255).astype(np.uint8)))
    return bank


class AthleteRenderer:
    """Draws the posed body for one camera over that camera's background."""

    def __init__(self, camera: VirtualCamera, mesh: BodyMesh, seed: int = 0,
                 noise_sigma: float = 2.0) -> None:
        self.camera = camera
        self._mesh = mesh
        self._background = background(camera)
        self._noise = noise_bank(camera, seed, noise_sigma) if noise_sigma > 0 else []

    def render(self, parts: list[Primitive], frame_index: int = 0) -> np.ndarray:
        """The bgr8 image of the athlete posed as `parts`; `frame_index` picks the noise."""
        mesh, camera = self._mesh, self.camera
        world = mesh.vertices(parts)
        pixels, depth = camera.project(world)
        faces = mesh.faces
        v0, v1, v2 = world[faces[:, 0]], world[faces[:, 1]], world[faces[:, 2]]
        normals = np.cross(v1 - v0, v2 - v0)
        lengths = np.linalg.norm(normals, axis=1)
        centres = (v0 + v1 + v2) / 3
        facing = np.einsum("ij,ij->i", normals, camera.position - centres) > 0
        visible = facing & (lengths > 1e-12) & (depth[faces].min(axis=1) > 0.05)
        faces, normals, lengths = faces[visible], normals[visible], lengths[visible]
        light = np.clip((normals @ LIGHT) / lengths, 0.0, 1.0)
        colours = mesh.face_colour[visible] * (AMBIENT + DIFFUSE * light)[:, None]
        colours = np.clip(colours, 0, 255).astype(int).tolist()
        order = np.argsort(-depth[faces].mean(axis=1), kind="stable")
        corners = np.rint(pixels[faces[order]] * (1 << SUBPIXEL_BITS)).astype(np.int32)
        image = self._background.copy()
        for triangle, index in zip(corners, order.tolist(), strict=True):
            cv2.fillConvexPoly(image, triangle, colours[index], cv2.LINE_8, SUBPIXEL_BITS)
        return through_lens(image, self._noise, frame_index)


def through_lens(image: np.ndarray, noise: list[tuple[np.ndarray, np.ndarray]],
                 frame_index: int) -> np.ndarray:
    """A drawn scene as the camera records it: slightly blurred (a lens is never perfectly
    sharp; this also softens drawn edges) and with the sensor noise of `frame_index`."""
    image = cv2.GaussianBlur(image, (3, 3), 0.7)
    if noise:
        positive, negative = noise[frame_index % len(noise)]
        cv2.add(image, positive, dst=image)
        cv2.subtract(image, negative, dst=image)
    return image
