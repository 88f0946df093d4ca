"""Calibrate two cameras from the athlete alone: no board, only the person seen by both.

With each camera's intrinsics known (calibrated, or from its field of view), the same body
landmarks seen at the same instants by both cameras are point correspondences: the essential
matrix (RANSAC, so a leg one view labels as the other is an outlier, not a bias) gives the
side camera's rotation and the direction of its offset from the front camera. A body-sized
cloud of points leaves that pose weakly determined (a few degrees of rotation trade against
depth), so a bundle adjustment (scipy least squares, robust loss) refines the side camera's pose
and every body point together, with the body's own rigidity as a constraint: the lengths of
its bones (shank, thigh, trunk, arms, shoulder and hip width) do not change from frame to frame.
The scale comes
from the athlete's stated height: the summed lengths of shank, thigh and trunk, which stay
constant through a squat, are 0.779 of body height (Drillis and Contini's segment table,
Winter, Biomechanics and Motor Control of Human Movement, 4th ed., table 4.1; real bodies vary
by a few per cent, and so does the scale). The world frame comes from the standing athlete
(athlete_frame).
Imports no rclpy.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import cv2
import numpy as np
from scipy.sparse import lil_matrix

from squat_common.rig_calibration import CameraCalibration, RigCalibration
from squat_pose.athlete_frame import placed, world_from_standing
from squat_pose.landmarks import INDEX
from squat_pose.triangulation import Observation, triangulate

# Landmarks of the body's frame and limbs: the face's crowd together and add nothing.
BODY = tuple(INDEX[name] for name in (
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index"))
# Shank + thigh + trunk as a share of body height (ankle 0.039, shoulder 0.818 of height).
LEG_AND_TRUNK_SHARE = 0.818 - 0.039
SEGMENTS = tuple((INDEX[f"{side}_{a}"], INDEX[f"{side}_{b}"]) for side in ("left", "right")
                 for a, b in (("ankle", "knee"), ("knee", "hip"), ("hip", "shoulder")))
# Bones whose length stays constant through a squat (the bundle adjustment's rigidity term).
BONES = SEGMENTS + tuple((INDEX[f"{side}_{a}"], INDEX[f"{side}_{b}"])
                         for side in ("left", "right")
                         for a, b in (("shoulder", "elbow"), ("elbow", "wrist"))) + (
    (INDEX["left_hip"], INDEX["right_hip"]), (INDEX["left_shoulder"], INDEX["right_shoulder"]))


class SelfCalibrationError(ValueError):
    """The footage cannot calibrate the rig, with the reason and what to do."""


@dataclass(frozen=True)
class SelfCalibrationSettings:
    """How the athlete-only calibration chooses its evidence and what it accepts."""

    min_visibility: float = 0.6
    min_correspondences: int = 300
    ransac_threshold_px: float = 2.0
    max_reprojection_px: float = 6.0
    # Frames given to the bundle adjustment, evenly spread over the recording (its cost grows
    # with them; 120 frames of 16 landmarks solve in seconds).
    max_frames: int = 120
    # A bone 1 % off its length costs as much as BONE_WEIGHT_PX / 100 px of reprojection.
    bone_weight_px: float = 50.0


def calibrate_from_athlete(front: list[Observation], side: list[Observation],
                           cameras: dict[str, CameraCalibration], height_m: float,
                           settings: SelfCalibrationSettings = SelfCalibrationSettings()
                           ) -> RigCalibration:
    """The rig of the front and side cameras (intrinsics in `cameras`; their poses are
    ignored) from the athlete's keypoints at the same instants, frame i of `front` with frame
    i of `side`."""
    if not 1.0 <= height_m <= 2.5:
        raise SelfCalibrationError(f"athlete height {height_m} m: give it in metres (1.0-2.5)")
    f_cam, s_cam = cameras["front"], cameras["side"]
    pairs = [(i, j) for i in range(min(len(front), len(side))) for j in BODY
             if min(front[i].visibility[j], side[i].visibility[j]) >= settings.min_visibility
             and np.all(np.isfinite(front[i].pixels[j]))
             and np.all(np.isfinite(side[i].pixels[j]))]
    if len(pairs) < settings.min_correspondences:
        raise SelfCalibrationError(
            f"only {len(pairs)} landmarks seen well by both cameras at once (needs "
            f"{settings.min_correspondences}): record a few whole squats with the athlete "
            "fully in both views")
    f_px = f_cam.undistorted(np.array([front[i].pixels[j] for i, j in pairs]))
    s_px = s_cam.undistorted(np.array([side[i].pixels[j] for i, j in pairs]))
    f_norm = cv2.undistortPoints(f_px.reshape(-1, 1, 2), f_cam.matrix, None).reshape(-1, 2)
    s_norm = cv2.undistortPoints(s_px.reshape(-1, 1, 2), s_cam.matrix, None).reshape(-1, 2)
    # Starting poses (side camera x_side = R x_front + t, unit baseline), each refined by the
    # bundle adjustment; the one that explains the keypoints best is kept.
    starts = [start for start in (_from_essential(f_norm, s_norm, f_cam, s_cam, settings),
                                  _from_estimator_3d(front, side, f_norm, s_norm, settings))
              if start is not None]
    if not starts:
        raise SelfCalibrationError("the two views' keypoints do not agree on any camera "
                                   "geometry: are both cameras filming the same athlete?")
    fixed = replace(f_cam, rotation=np.eye(3), position=np.zeros(3))
    relative, _ = min((_refined({"front": fixed, "side": replace(
        s_cam, rotation=rotation.T, position=-rotation.T @ offset)}, front, side, settings)
        for rotation, offset in starts), key=lambda refined: refined[1])
    rig = RigCalibration(relative, source="athlete")
    frames = [triangulate({"front": front[i], "side": side[i]}, rig,
                          settings.max_reprojection_px * 2, settings.min_visibility).points
              for i in range(min(len(front), len(side)))]
    points = np.stack(frames)
    scale = height_m * LEG_AND_TRUNK_SHARE / _leg_and_trunk(points)
    world_from_front = world_from_standing(points * scale)
    cameras_w = placed(relative, *world_from_front, scale)
    error = _reprojection_px(cameras_w, front, side, settings)
    if error > settings.max_reprojection_px:
        raise SelfCalibrationError(
            f"median reprojection error {error:.1f} px (at most "
            f"{settings.max_reprojection_px:g}): the keypoints disagree with any one geometry; "
            "check that both videos are of the same moments and that the intrinsics are right")
    return RigCalibration(cameras_w, source="athlete", reprojection_error_px=error, notes=[
        f"{len(pairs)} correspondences", f"scale from an athlete of {height_m:g} m"])


def _from_essential(f_norm: np.ndarray, s_norm: np.ndarray, f_cam: CameraCalibration,
                    s_cam: CameraCalibration, settings: SelfCalibrationSettings
                    ) -> tuple[np.ndarray, np.ndarray] | None:
    """(R, t) from the essential matrix (RANSAC), or None when there is none. With keypoints
    a few pixels off, a body-sized cloud can leave it far from the truth: one start of
    several."""
    focal = (f_cam.matrix[0, 0] + s_cam.matrix[0, 0]) / 2
    essential, inliers = cv2.findEssentialMat(
        f_norm, s_norm, np.eye(3), method=cv2.RANSAC, prob=0.9999,
        threshold=settings.ransac_threshold_px / focal)
    if essential is None or essential.shape != (3, 3):
        return None
    _, rotation, offset, _ = cv2.recoverPose(essential, f_norm, s_norm, np.eye(3),
                                             mask=inliers.copy())
    return rotation, offset.ravel()


def _from_estimator_3d(front: list[Observation], side: list[Observation], f_norm: np.ndarray,
                       s_norm: np.ndarray, settings: SelfCalibrationSettings
                       ) -> tuple[np.ndarray, np.ndarray] | None:
    """(R, t) from the estimator's own 3D guesses, where it makes them: each view's
    hip-centred body in its camera's axes differs from the other's by the cameras' relative
    rotation (least squares over every frame, Kabsch); the baseline's direction then follows
    from the epipolar constraint, linear once R is known, with the sign that puts the body in
    front of both cameras."""
    mine, theirs = [], []
    for f, s in zip(front, side, strict=False):
        if f.camera_3d is None or s.camera_3d is None:
            continue
        body = [j for j in BODY if min(f.visibility[j], s.visibility[j]) >=
                settings.min_visibility and np.all(np.isfinite([*f.camera_3d[j],
                                                                *s.camera_3d[j]]))]
        mine.extend(f.camera_3d[body])
        theirs.extend(s.camera_3d[body])
    if len(mine) < settings.min_correspondences:
        return None
    u, _, vt = np.linalg.svd(np.array(theirs).T @ np.array(mine))
    rotation = u @ np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt))]) @ vt
    rays_f = np.hstack([f_norm, np.ones((len(f_norm), 1))])
    rays_s = np.hstack([s_norm, np.ones((len(s_norm), 1))])
    # x_s . (t x R x_f) = 0  <=>  t . (R x_f x x_s) = 0 for every correspondence.
    rows = np.cross(rays_f @ rotation.T, rays_s)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    keep = np.ones(len(rows), bool)
    for _ in range(3):  # drop the worst fifth (mislabelled legs) and solve again
        offset = np.linalg.svd(rows[keep])[2][-1]
        residual = np.abs(rows @ offset)
        keep = residual <= np.quantile(residual, 0.8)
    # The sign: a point d_f x_f seen at d_s x_s (d_s x_s = R d_f x_f + t) lies in front of
    # both cameras when both depths are positive.
    depths = np.array([np.linalg.lstsq(np.column_stack([rotation @ rf, -rs]), -offset,
                                       rcond=None)[0]
                       for rf, rs in zip(rays_f[keep], rays_s[keep], strict=True)])
    in_front = np.mean(np.all(depths > 0, axis=1))
    return rotation, offset if in_front >= 0.5 else -offset


def _refined(cameras: dict[str, CameraCalibration], front: list[Observation],
             side: list[Observation], settings: SelfCalibrationSettings
             ) -> tuple[dict[str, CameraCalibration], float]:
    """The side camera's pose refined by a bundle adjustment, and its final cost: the front
    camera fixed at the origin, the baseline of unit length (the scale comes later), the side
    camera's rotation and baseline direction, every body point of the chosen frames and every
    bone's length free; residuals are both views' reprojection errors (px) and each bone's
    deviation from its length, under a soft-L1 loss so a mislabelled leg pulls little."""
    # scipy.optimize takes ~0.6 s to import: `coach` loads this module for every command.
    from scipy.optimize import least_squares

    chosen = np.unique(np.linspace(0, min(len(front), len(side)) - 1,
                                   settings.max_frames).astype(int))
    rig = RigCalibration(cameras, source="athlete")
    body = list(BODY)
    points, keys = [], []  # (frame, landmark) of each point
    for i in chosen:
        both = np.minimum(front[i].visibility[body], side[i].visibility[body])
        first = triangulate({"front": front[i], "side": side[i]}, rig, np.inf,
                            settings.min_visibility).points[body]
        for k, j in enumerate(body):
            if both[k] >= settings.min_visibility and np.all(np.isfinite(first[k])):
                points.append(first[k])
                keys.append((i, j))
    if len(points) < settings.min_correspondences:
        return cameras, np.inf
    index = {key: n for n, key in enumerate(keys)}
    f_cam, s_cam = cameras["front"], cameras["side"]
    seen = np.array([[*f_cam.undistorted(front[i].pixels[[j]])[0],
                      *s_cam.undistorted(side[i].pixels[[j]])[0]] for i, j in keys])
    bones = [(index[(i, a)], index[(i, b)], n) for i in chosen
             for n, (a, b) in enumerate(BONES) if (i, a) in index and (i, b) in index]
    first_points = np.array(points)
    lengths0 = np.array([np.median([np.linalg.norm(first_points[p] - first_points[q])
                                    for p, q, m in bones if m == n] or [1.0])
                         for n in range(len(BONES))])
    # Side camera x_side = R x_front + t; t = (cos a cos b, sin a cos b, sin b).
    rotation0 = s_cam.rotation.T
    offset0 = -rotation0 @ s_cam.position
    offset0 /= np.linalg.norm(offset0)
    start = np.concatenate([cv2.Rodrigues(rotation0)[0].ravel(),
                            [np.arctan2(offset0[1], offset0[0]), np.arcsin(offset0[2])],
                            first_points.ravel(), lengths0])
    count, pose_size = len(points), 5
    bone_rows = np.array([(p, q, n) for p, q, n in bones], int).reshape(-1, 3)

    def unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rotation = cv2.Rodrigues(x[:3])[0]
        a, b = x[3:5]
        offset = np.array([np.cos(a) * np.cos(b), np.sin(a) * np.cos(b), np.sin(b)])
        world = x[pose_size:pose_size + 3 * count].reshape(count, 3)
        return rotation, offset, world, x[pose_size + 3 * count:]

    def residuals(x: np.ndarray) -> np.ndarray:
        rotation, offset, world, lengths = unpack(x)
        in_front = world @ f_cam.matrix.T
        in_side = (world @ rotation.T + offset) @ s_cam.matrix.T
        with np.errstate(divide="ignore", invalid="ignore"):
            projected = np.hstack([in_front[:, :2] / in_front[:, 2:],
                                   in_side[:, :2] / in_side[:, 2:]])
        reprojection = np.nan_to_num(projected - seen, nan=1e3, posinf=1e3, neginf=-1e3)
        span = np.linalg.norm(world[bone_rows[:, 0]] - world[bone_rows[:, 1]], axis=1)
        bone = settings.bone_weight_px * (span / lengths[bone_rows[:, 2]] - 1.0)
        return np.concatenate([reprojection.ravel(), bone])

    sparsity = lil_matrix((4 * count + len(bone_rows), len(start)), dtype=int)
    for n in range(count):
        sparsity[4 * n:4 * n + 4, pose_size + 3 * n:pose_size + 3 * n + 3] = 1
        sparsity[4 * n + 2:4 * n + 4, :pose_size] = 1
    for row, (p, q, m) in enumerate(bone_rows, start=4 * count):
        sparsity[row, pose_size + 3 * p:pose_size + 3 * p + 3] = 1
        sparsity[row, pose_size + 3 * q:pose_size + 3 * q + 3] = 1
        sparsity[row, pose_size + 3 * count + m] = 1
    solved = least_squares(residuals, start, jac_sparsity=sparsity, loss="soft_l1",
                           f_scale=settings.ransac_threshold_px, x_scale="jac", max_nfev=60)
    rotation, offset, _, _ = unpack(solved.x)
    turn = rotation.T
    return {**cameras, "side": replace(s_cam, rotation=turn, position=-turn @ offset)}, \
        float(solved.cost)


def _leg_and_trunk(points: np.ndarray) -> float:
    """Median summed shank, thigh and trunk length per side, averaged over sides (in the
    points' units)."""
    sides = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a side never seen whole is NaN
        for start in (0, 3):
            lengths = [np.nanmedian(np.linalg.norm(points[:, a] - points[:, b], axis=1))
                       for a, b in SEGMENTS[start:start + 3]]
            sides.append(sum(lengths))
        total = float(np.nanmean(sides))
    if not np.isfinite(total) or total <= 0:
        # Both views saw the body, yet no leg and trunk agree on one geometry: most often two
        # recordings of different moments.
        raise SelfCalibrationError(
            "the two views never agree on a whole leg and trunk: are both recordings of the "
            "same moments (started together), with the athlete whole in both?")
    return total


def _reprojection_px(cameras: dict[str, CameraCalibration], front: list[Observation],
                     side: list[Observation], settings: SelfCalibrationSettings) -> float:
    rig = RigCalibration(cameras, source="athlete")
    errors = []
    for f, s in zip(front, side, strict=False):
        result = triangulate({"front": f, "side": s}, rig, float("inf"),
                             settings.min_visibility)
        body = result.reprojection_px[list(BODY)]
        errors.extend(body[np.isfinite(body)])
    return float(np.median(errors)) if errors else float("inf")
