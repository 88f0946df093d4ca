"""The athlete's body as shaded volumes: capsules and ellipsoids placed on the skeleton.

Every volume is one kind of primitive, a capsule swept between two end points with a radius at
each end and a 3x3 shape matrix: a limb is a capsule with an orthonormal matrix, an ellipsoid
(head, chest, shoe, ...) is a capsule whose ends coincide, radius 1, and a matrix scaled by its
radii. So one triangle template per level of detail serves every part, and posing all parts is
a handful of array operations per frame. Imports no rclpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from squat_virtual_athlete.skeleton import Anthropometry, Skeleton
from squat_virtual_athlete.spec import AthleteSpec

FINE, COARSE = (18, 5), (8, 2)  # (segments around, rings per half) of a part's mesh


@dataclass(frozen=True)
class Primitive:
    """One volume: a capsule from a to b (radii ra, rb) shaped by `matrix` (columns: the
    directions its unit template is stretched along)."""

    name: str
    a: np.ndarray
    b: np.ndarray
    ra: float
    rb: float
    matrix: np.ndarray
    material: str

    def inside(self, points: np.ndarray) -> np.ndarray:
        """How far inside the volume each point lies (metres, in the volume's own scale);
        negative outside."""
        axis = self.b - self.a
        length2 = float(np.dot(axis, axis))
        t = (np.clip((points - self.a) @ axis / length2, 0.0, 1.0) if length2 > 0
             else np.zeros(len(points)))
        closest = self.a + t[:, None] * axis
        local = (points - closest) @ np.linalg.inv(self.matrix).T
        radius = self.ra + t * (self.rb - self.ra)
        scale = float(np.min(np.linalg.norm(self.matrix, axis=0)))
        return (radius - np.linalg.norm(local, axis=1)) * scale


def _frame_along(direction: np.ndarray, hint: np.ndarray) -> np.ndarray:
    """An orthonormal right-handed basis whose third column is `direction`."""
    e = direction / np.linalg.norm(direction)
    p = hint - np.dot(hint, e) * e
    if np.linalg.norm(p) < 1e-9:
        p = np.array([1.0, 0.0, 0.0]) - e[0] * e
    p /= np.linalg.norm(p)
    return np.column_stack([p, np.cross(e, p), e])


def capsule(name: str, a: np.ndarray, b: np.ndarray, ra: float, rb: float,
            material: str) -> Primitive:
    """A limb from a to b, radius ra at a and rb at b."""
    return Primitive(name, a, b, ra, rb, _frame_along(b - a, np.array([0.0, 0.0, 1.0])),
                     material)


def ellipsoid(name: str, center: np.ndarray, frame: np.ndarray, radii: tuple[float, ...],
              material: str) -> Primitive:
    """An ellipsoid at `center` with radii along the columns of `frame`."""
    return Primitive(name, center, center, 1.0, 1.0, frame * np.asarray(radii), material)


def body_primitives(spec: AthleteSpec, skeleton: Skeleton) -> list[Primitive]:
    """Every volume of the athlete for one skeleton, in a fixed order (the mesh relies on it)."""
    h = spec.height_m
    lm, pt, fr = skeleton.landmarks, skeleton.points, skeleton.frames
    head_frame, trunk_frame = fr["head"], fr["trunk"]
    head = pt["head_center"]

    def on_head(f: float, left: float, up: float) -> np.ndarray:
        return head + h * (head_frame @ np.array([f, left, up]))

    pelvis, shoulders = pt["pelvis"], pt["shoulder_center"]
    trunk_up = trunk_frame[:, 2]
    parts = [
        ellipsoid("head", head, head_frame, (0.057 * h, 0.044 * h, 0.063 * h), "skin"),
        ellipsoid("hair", on_head(-0.008, 0.0, 0.012), head_frame,
                  (0.058 * h, 0.047 * h, 0.060 * h), "hair"),
        ellipsoid("nose", on_head(0.056, 0.0, -0.004), head_frame,
                  (0.010 * h, 0.007 * h, 0.015 * h), "skin"),
        ellipsoid("mouth", on_head(0.050, 0.0, -0.030), head_frame,
                  (0.006 * h, 0.013 * h, 0.004 * h), "lips"),
        capsule("neck", shoulders - 0.02 * h * trunk_up, on_head(-0.01, 0.0, -0.045),
                0.031 * h, 0.030 * h, "skin"),
        ellipsoid("chest", pelvis + 0.66 * (shoulders - pelvis), trunk_frame,
                  (0.064 * h, 0.098 * h, 0.125 * h), "shirt"),
        ellipsoid("belly", pelvis + 0.32 * (shoulders - pelvis), trunk_frame,
                  (0.060 * h, 0.086 * h, 0.110 * h), "shirt"),
        capsule("shoulder_girdle", lm["left_shoulder"], lm["right_shoulder"],
                0.036 * h, 0.036 * h, "shirt"),
        ellipsoid("pelvis", pelvis + 0.02 * h * trunk_up, trunk_frame,
                  (0.062 * h, 0.100 * h, 0.070 * h), "pants"),
    ]
    for side, sign in (("left", 1.0), ("right", -1.0)):
        parts += [
            ellipsoid(f"{side}_ear", on_head(0.0, sign * 0.044, 0.004), head_frame,
                      (0.011 * h, 0.007 * h, 0.018 * h), "skin"),
            ellipsoid(f"{side}_eye_white", on_head(0.051, sign * 0.018, 0.012), head_frame,
                      (0.006 * h, 0.009 * h, 0.005 * h), "eye_white"),
            ellipsoid(f"{side}_iris", on_head(0.056, sign * 0.018, 0.012), head_frame,
                      (0.002 * h, 0.004 * h, 0.004 * h), "iris"),
            capsule(f"{side}_brow", on_head(0.055, sign * 0.009, 0.024),
                    on_head(0.052, sign * 0.027, 0.022), 0.003 * h, 0.002 * h, "hair"),
        ]
        shoulder, elbow, wrist = (lm[f"{side}_{j}"] for j in ("shoulder", "elbow", "wrist"))
        hip, knee, ankle = (lm[f"{side}_{j}"] for j in ("hip", "knee", "ankle"))
        hand = fr[f"{side}_hand"]
        foot = fr[f"{side}_foot"]
        heel, toe = lm[f"{side}_heel"], lm[f"{side}_foot_index"]
        shin = (knee - ankle) / np.linalg.norm(knee - ankle)
        parts += [
            capsule(f"{side}_sleeve", shoulder, shoulder + 0.45 * (elbow - shoulder),
                    0.034 * h, 0.030 * h, "shirt"),
            capsule(f"{side}_upper_arm", shoulder, elbow, 0.026 * h, 0.021 * h, "skin"),
            capsule(f"{side}_forearm", elbow, wrist, 0.020 * h, 0.015 * h, "skin"),
            ellipsoid(f"{side}_hand", wrist + 0.040 * h * hand[:, 0], hand,
                      (0.045 * h, 0.026 * h, 0.013 * h), "skin"),
            capsule(f"{side}_thigh", hip, knee, 0.050 * h, 0.034 * h, "pants"),
            capsule(f"{side}_shank", knee, ankle, 0.031 * h, 0.021 * h, "skin"),
            capsule(f"{side}_sock", ankle, ankle + 0.05 * h * shin, 0.023 * h, 0.024 * h,
                    "sock"),
            ellipsoid(f"{side}_shoe", (heel + toe) / 2 + 0.006 * h * foot[:, 2], foot,
                      (0.5 * np.linalg.norm(toe - heel) + 0.01 * h, 0.032 * h, 0.026 * h),
                      "shoe"),
        ]
    if spec.bar:
        parts.append(capsule("bar", pt["bar_left"], pt["bar_right"], 0.014, 0.014, "steel"))
    return parts


def materials(spec: AthleteSpec) -> dict[str, tuple[int, int, int]]:
    """Base BGR colour of each material."""
    return {
        "skin": spec.skin_bgr,
        "hair": (30, 35, 45),
        "lips": (90, 90, 170),
        "eye_white": (235, 240, 240),
        "iris": (40, 30, 25),
        "shirt": spec.shirt_bgr,
        "pants": spec.pants_bgr,
        "sock": (230, 230, 230),
        "shoe": (70, 60, 60),
        "steel": (170, 170, 175),
    }


def _template(around: int, rings: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit directions, end flags (0 at a, 1 at b) and outward triangles of a capsule whose
    two hemispheres meet at the equator (twice: one ring per end)."""
    lats = [-math.pi / 2 + math.pi / 2 * i / rings for i in range(1, rings + 1)]
    lats += [math.pi / 2 * i / rings for i in range(rings)]
    ends = [0] * rings + [1] * rings
    dirs, flags = [np.array([0.0, 0.0, -1.0])], [0]
    for lat, end in zip(lats, ends, strict=True):
        for j in range(around):
            lon = 2 * math.pi * j / around
            dirs.append(np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon),
                                  math.sin(lat)]))
            flags.append(end)
    dirs.append(np.array([0.0, 0.0, 1.0]))
    flags.append(1)
    top = len(dirs) - 1
    faces = []
    for j in range(around):
        faces.append((0, 1 + (j + 1) % around, 1 + j))
    for r in range(len(lats) - 1):
        for j in range(around):
            a, b = 1 + r * around + j, 1 + r * around + (j + 1) % around
            faces += [(a, b, b + around), (a, b + around, a + around)]
    last = 1 + (len(lats) - 1) * around
    for j in range(around):
        faces.append((last + j, last + (j + 1) % around, top))
    dirs_array, tri = np.array(dirs), np.array(faces)
    # Wind every triangle so its normal points out of the unit sphere.
    v0, v1, v2 = (dirs_array[tri[:, i]] for i in range(3))
    inward = np.einsum("ij,ij->i", np.cross(v1 - v0, v2 - v0), v0 + v1 + v2) < 0
    tri[inward] = tri[inward][:, ::-1]
    return dirs_array, np.array(flags), tri


class BodyMesh:
    """The triangles of all parts; `vertices` poses them for one list of primitives."""

    def __init__(self, spec: AthleteSpec, parts: list[Primitive]) -> None:
        palette = materials(spec)
        small = Anthropometry(spec.height_m).height * 0.02
        dirs, flags, faces, owner = [], [], [], []
        offset = 0
        for index, part in enumerate(parts):
            size = max(part.ra, part.rb) * float(np.max(np.linalg.norm(part.matrix, axis=0)))
            d, f, tri = _template(*(COARSE if size < small else FINE))
            dirs.append(d)
            flags.append(f)
            faces.append(tri + offset)
            owner.append(np.full(len(d), index))
            offset += len(d)
        self.directions = np.concatenate(dirs)
        self.at_b = np.concatenate(flags).astype(bool)
        self.part_of_vertex = np.concatenate(owner)
        self.faces = np.concatenate(faces)
        self.face_colour = np.array([palette[parts[i].material]
                                     for i in self.part_of_vertex[self.faces[:, 0]]], float)
        self.part_count = len(parts)

    def vertices(self, parts: list[Primitive]) -> np.ndarray:
        """World positions of every vertex for `parts` (same order as at construction)."""
        if len(parts) != self.part_count:
            raise ValueError(f"mesh built for {self.part_count} parts, got {len(parts)}")
        a = np.array([p.a for p in parts])
        b = np.array([p.b for p in parts])
        radii = np.array([(p.ra, p.rb) for p in parts])
        shape = np.array([p.matrix for p in parts])
        owner = self.part_of_vertex
        base = np.where(self.at_b[:, None], b[owner], a[owner])
        radius = radii[owner, self.at_b.astype(int)]
        return base + np.einsum("vij,vj->vi", shape[owner], self.directions * radius[:, None])
