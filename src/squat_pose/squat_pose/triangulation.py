"""Landmarks in 3D from two or more calibrated views. Imports no rclpy.

Per landmark, every view that sees it (visibility at least `min_visibility`) adds two rows to a
direct linear transform in normalised camera coordinates, weighted by that visibility; the
solution is kept only if it lies in front of every camera used and reprojects within
`max_reprojection_px` of each view's keypoint (a keypoint MediaPipe put on the wrong leg in one
view does not drag a joint through space: it is dropped as not triangulated).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from squat_common.rig_calibration import RigCalibration

DEFAULT_MAX_REPROJECTION_PX = 12.0
DEFAULT_MIN_VISIBILITY = 0.3


@dataclass(frozen=True)
class Observation:
    """One view's keypoints: pixels (n, 2), NaN where not seen, and visibility (n,) 0-1; with
    the estimator's own metric 3D guess where it makes one (n, 3): MediaPipe's world
    landmarks, hip-centred, in the camera's axes (x right, y down, z away from it)."""

    pixels: np.ndarray
    visibility: np.ndarray
    camera_3d: np.ndarray | None = None


@dataclass(frozen=True)
class Triangulated:
    """World points (n, 3), NaN where not triangulated; the worst view's reprojection error
    (n,) in px; how many views each point came from (n,)."""

    points: np.ndarray
    reprojection_px: np.ndarray
    views_used: np.ndarray


def triangulate(observations: dict[str, Observation], rig: RigCalibration,
                max_reprojection_px: float = DEFAULT_MAX_REPROJECTION_PX,
                min_visibility: float = DEFAULT_MIN_VISIBILITY) -> Triangulated:
    """The landmarks seen by at least two of `observations`' views, in the rig's world frame."""
    views = [view for view in observations if view in rig.cameras]
    count = len(next(iter(observations.values())).pixels) if observations else 0
    points = np.full((count, 3), np.nan)
    errors = np.full(count, np.nan)
    used = np.zeros(count, int)
    if len(views) < 2:
        return Triangulated(points, errors, used)
    cameras = [rig.cameras[view] for view in views]
    pixels = np.stack([camera.undistorted(observations[view].pixels)
                       for view, camera in zip(views, cameras, strict=True)])
    weights = np.stack([np.asarray(observations[view].visibility, float) for view in views])
    # In normalised coordinates (K^-1 [u v 1]), better conditioned than pixels.
    extrinsics = np.stack([camera.extrinsic() for camera in cameras])
    homogeneous = np.concatenate([pixels, np.ones((*pixels.shape[:2], 1))], axis=2)
    normalised = np.einsum("vij,vnj->vni", np.stack([np.linalg.inv(c.matrix) for c in cameras]),
                           homogeneous)
    projections = np.stack([c.projection() for c in cameras])
    seeing = (weights >= min_visibility) & np.all(np.isfinite(pixels), axis=2)  # (v, n)
    # Every landmark's DLT at once: two rows per view, zero for a view that does not see it.
    x = np.where(seeing, normalised[..., 0] / normalised[..., 2], 0.0)
    y = np.where(seeing, normalised[..., 1] / normalised[..., 2], 0.0)
    w = np.where(seeing, weights, 0.0)
    rows = np.concatenate([
        w[..., None] * (x[..., None] * extrinsics[:, None, 2] - extrinsics[:, None, 0]),
        w[..., None] * (y[..., None] * extrinsics[:, None, 2] - extrinsics[:, None, 1])])
    solutions = np.linalg.svd(rows.transpose(1, 0, 2))[2][:, -1]  # (n, 4)
    solved = (seeing.sum(axis=0) >= 2) & (np.abs(solutions[:, 3]) >= 1e-12)
    candidates = solutions[:, :3] / np.where(solved, solutions[:, 3], 1.0)[:, None]
    projected = np.einsum("vij,nj->vni", projections,
                          np.hstack([candidates, np.ones((count, 1))]))
    in_front = np.all(~seeing | (projected[..., 2] > 0), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        offsets = np.linalg.norm(projected[..., :2] / projected[..., 2:] - pixels, axis=2)
    error = np.where(seeing, offsets, 0.0).max(axis=0)
    good = solved & in_front & (error <= max_reprojection_px)
    points[good], errors[good] = candidates[good], error[good]
    used[good] = seeing.sum(axis=0)[good]
    return Triangulated(points, errors, used)
