"""The answer sheet: a coach's reference squat, built once, stored as one versioned file.

A reference holds, for every analysed frame of the coach's recording, the named angles (side
agnostic: the leg a side camera sees best, so a mirrored camera reads the same) and each view's
normalised keypoints (hip midpoint at the origin, torso length 1, the athlete facing +x); the
rep segmentation; and the canonical rep: every clean rep resampled to `SAMPLES` points of rep
progress (the bottom at the middle sample, descent and ascent each normalised to their own
duration), their mean and per-sample spread, and the frames of the most typical rep that each
sample corresponds to (what a ghost is drawn from).

The file is strict JSON: a header (format, version, name, source, frame rate, content hash)
and the arrays as lists (null where nothing was measured). Imports no rclpy.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from squat_pose.landmarks import INDEX
from squat_pose.pose_estimation import PoseResult

FORMAT = "squat_coach.reference"
VERSION = 1
SAMPLES = 101
BOTTOM_SAMPLE = SAMPLES // 2
VIEWS = ("front", "side")
# The named angles a reference holds: measure names of squat_pose.geometry without the side.
CHANNELS = ("knee_flexion", "hip_flexion", "trunk_lean", "ankle_dorsiflexion", "knee_valgus")
_L_SHOULDER, _R_SHOULDER = INDEX["left_shoulder"], INDEX["right_shoulder"]
_L_HIP, _R_HIP = INDEX["left_hip"], INDEX["right_hip"]


# The name that stands for the reference squat_pose ships (squat_bringup.builtin_reference
# says where its angles come from).
BUILTIN = "builtin"


class ReferenceError(ValueError):
    """A reference that cannot be built or read, with the reason."""


def builtin_reference_path() -> Path:
    """Where the built-in reference is installed (or lies in the source tree)."""
    try:
        from ament_index_python.packages import get_package_share_directory

        installed = Path(get_package_share_directory("squat_pose")) / "references" / \
            "builtin.json"
        if installed.is_file():
            return installed
    except (ImportError, LookupError, OSError):
        pass
    return Path(__file__).resolve().parents[1] / "references" / "builtin.json"


def reference_file(name: str) -> Path:
    """The file a reference name stands for: `builtin`, or a path."""
    return builtin_reference_path() if name == BUILTIN else Path(name).expanduser()


def channels(values: Mapping[str, float]) -> dict[str, float]:
    """The named angles of one frame's measures (the larger of left and right where a measure
    has two sides: the side camera's near leg bends furthest, a caved knee is the worse one)."""
    found = {}
    for name in CHANNELS:
        sided = [values[f"{name}_{side}"] for side in ("left", "right")
                 if f"{name}_{side}" in values]
        if name in values:
            found[name] = float(values[name])
        elif sided:
            found[name] = float(max(sided))
    return found


def _body_frame(pose: PoseResult, view: str) -> tuple[np.ndarray, float, float] | None:
    """The hip midpoint (px), the torso length (px) and the mirror sign of a pose."""
    p = pose.pixels
    hips = p[[_L_HIP, _R_HIP]].mean(axis=0)
    torso = float(np.linalg.norm(p[[_L_SHOULDER, _R_SHOULDER]].mean(axis=0) - hips))
    if not math.isfinite(torso) or torso < 1e-6:
        return None
    mirrored = pose.facing < 0 if view == "side" else p[_L_HIP, 0] < p[_R_HIP, 0]
    return hips, torso, -1.0 if mirrored else 1.0


def normalised_pose(pose: PoseResult, view: str) -> np.ndarray | None:
    """The 33 landmarks with the hip midpoint at the origin and torso length 1, mirrored so the
    athlete faces +x (side view) or their left hip lies at +x (front view); None without a
    torso to scale by."""
    frame = _body_frame(pose, view)
    if frame is None:
        return None
    hips, torso, sign = frame
    points = (pose.pixels - hips) / torso
    points[:, 0] *= sign
    return points


def placed_on(points: np.ndarray, pose: PoseResult, view: str) -> np.ndarray | None:
    """Normalised reference keypoints drawn where `pose` stands, at its size and facing its
    way (the ghost of the reference on the athlete), in pixels; None without a torso."""
    frame = _body_frame(pose, view)
    if frame is None:
        return None
    hips, torso, sign = frame
    return hips + torso * points * np.array([sign, 1.0])


@dataclass(frozen=True)
class RepSpan:
    """One rep of the reference recording (seconds from its first frame)."""

    start_s: float
    bottom_s: float
    end_s: float
    clean: bool


@dataclass(frozen=True)
class CanonicalRep:
    """The reference rep on a common progress axis of SAMPLES points (bottom in the middle)."""

    mean: dict[str, np.ndarray]  # channel -> (SAMPLES,), NaN where no rep measured it
    spread: dict[str, np.ndarray]  # channel -> (SAMPLES,) standard deviation across reps
    poses: dict[str, np.ndarray]  # view -> (SAMPLES, 33, 2) mean normalised keypoints
    frames: np.ndarray  # (SAMPLES,) reference frame index of each sample, in the typical rep
    reps_used: int

    def phase_spread(self, channel: str) -> dict[str, float]:
        """Mean spread of a channel in the descent, around the bottom and in the ascent."""
        spread = self.spread.get(channel)
        if spread is None:
            return {}
        parts = {"descent": spread[:BOTTOM_SAMPLE - 5], "bottom":
                 spread[BOTTOM_SAMPLE - 5:BOTTOM_SAMPLE + 6], "ascent": spread[BOTTOM_SAMPLE + 6:]}
        return {name: float(np.nanmean(values)) if np.isfinite(values).any() else math.nan
                for name, values in parts.items()}


@dataclass(frozen=True)
class Reference:
    """A coach's squat, frame by frame and as one canonical rep."""

    name: str
    source: dict[str, str]
    fps: float
    times_s: np.ndarray  # (N,) seconds from the first frame
    angles: dict[str, np.ndarray]  # channel -> (N,), NaN where not measured
    keypoints: dict[str, np.ndarray]  # view -> (N, 33, 2) normalised, NaN without a person
    reps: tuple[RepSpan, ...]
    canonical: CanonicalRep
    content_hash: str = ""

    @property
    def views(self) -> list[str]:
        """The views whose keypoints the reference holds."""
        return [v for v in VIEWS if v in self.keypoints and np.isfinite(self.keypoints[v]).any()]

    @property
    def duration_s(self) -> float:
        return float(self.times_s[-1] - self.times_s[0]) if len(self.times_s) else 0.0

    @property
    def deepest_knee_flexion_deg(self) -> float:
        knee = self.canonical.mean.get("knee_flexion")
        return float(np.nanmax(knee)) if knee is not None and np.isfinite(knee).any() \
            else math.nan


def progress(t: float, start_s: float, bottom_s: float, end_s: float) -> float:
    """Rep progress of time t on the canonical axis: 0 at the start, BOTTOM_SAMPLE at the
    bottom, SAMPLES - 1 at the end (descent and ascent each scaled to their own length)."""
    if t <= bottom_s:
        share = (t - start_s) / max(bottom_s - start_s, 1e-9)
        return float(np.clip(share, 0.0, 1.0) * BOTTOM_SAMPLE)
    share = (t - bottom_s) / max(end_s - bottom_s, 1e-9)
    return float(BOTTOM_SAMPLE + np.clip(share, 0.0, 1.0) * (SAMPLES - 1 - BOTTOM_SAMPLE))


def time_at(sample: np.ndarray, start_s: float, bottom_s: float, end_s: float) -> np.ndarray:
    """The inverse of `progress`: the time of each canonical sample in one rep."""
    sample = np.asarray(sample, dtype=float)
    down = start_s + sample / BOTTOM_SAMPLE * (bottom_s - start_s)
    up = bottom_s + (sample - BOTTOM_SAMPLE) / (SAMPLES - 1 - BOTTOM_SAMPLE) * (end_s - bottom_s)
    return np.where(sample <= BOTTOM_SAMPLE, down, up)


def _resample(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """values(times) linearly interpolated at `at`, over the finite values only (NaN if none)."""
    finite = np.isfinite(values)
    if finite.sum() < 2:
        return np.full(len(at), np.nan)
    return np.interp(at, times[finite], values[finite])


@dataclass
class ReferenceRecorder:
    """Collects a recording frame by frame (as the analysis sees it), then builds the
    reference once the reps are known."""

    times_s: list[float] = field(default_factory=list)
    angles: list[dict[str, float]] = field(default_factory=list)
    keypoints: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {view: [] for view in VIEWS})

    def add(self, t: float, values: Mapping[str, float],
            poses: Mapping[str, PoseResult | None]) -> None:
        """One frame: its time, its (smoothed) measures and each view's pose."""
        self.times_s.append(t)
        self.angles.append(channels(values))
        for view in VIEWS:
            pose = poses.get(view)
            points = normalised_pose(pose, view) if pose is not None else None
            self.keypoints[view].append(points if points is not None
                                        else np.full((33, 2), np.nan))

    def build(self, name: str, source: dict[str, str], fps: float,
              reps: list[RepSpan]) -> Reference:
        """The reference of what was recorded; ReferenceError when it holds no full rep."""
        if not self.times_s:
            raise ReferenceError("no frame was analysed")
        if not reps:
            raise ReferenceError("no full rep was found (stand, squat down and all the way up, "
                                 "in view, at least once)")
        t0 = self.times_s[0]
        times = np.asarray(self.times_s) - t0
        reps = [RepSpan(r.start_s - t0, r.bottom_s - t0, r.end_s - t0, r.clean) for r in reps]
        angles = {name_: np.array([frame.get(name_, np.nan) for frame in self.angles])
                  for name_ in CHANNELS}
        keypoints = {view: np.stack(frames) for view, frames in self.keypoints.items()
                     if frames and np.isfinite(np.stack(frames)).any()}
        if not keypoints:
            raise ReferenceError("nobody was found in any frame")
        canonical = canonical_rep(times, angles, keypoints, reps)
        reference = Reference(name, dict(source), float(fps), times, angles, keypoints,
                              tuple(reps), canonical)
        return _with_hash(reference)


def canonical_rep(times: np.ndarray, angles: dict[str, np.ndarray],
                  keypoints: dict[str, np.ndarray], reps: list[RepSpan]) -> CanonicalRep:
    """Mean and spread of the clean reps (of every rep when none is clean) on the progress
    axis, and the frames of the rep closest to that mean."""
    used = [r for r in reps if r.clean] or list(reps)
    samples = np.arange(SAMPLES, dtype=float)
    curves: dict[str, list[np.ndarray]] = {name: [] for name in angles}
    poses: dict[str, list[np.ndarray]] = {view: [] for view in keypoints}
    for rep in used:
        at = time_at(samples, rep.start_s, rep.bottom_s, rep.end_s)
        for name, values in angles.items():
            curves[name].append(_resample(times, values, at))
        for view, points in keypoints.items():
            flat = points.reshape(len(points), -1)
            poses[view].append(np.stack([_resample(times, flat[:, k], at)
                                         for k in range(flat.shape[1])], axis=1)
                               .reshape(SAMPLES, 33, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN samples stay NaN
        mean = {n: np.nanmean(np.stack(c), axis=0) for n, c in curves.items()}
        spread = {n: np.nanstd(np.stack(c), axis=0) for n, c in curves.items()}
        pose_mean = {v: np.nanmean(np.stack(p), axis=0) for v, p in poses.items()}
    typical = min(used, key=lambda rep: _distance(rep, times, angles, mean))
    frame_times = time_at(samples, typical.start_s, typical.bottom_s, typical.end_s)
    frames = np.clip(np.searchsorted(times, frame_times), 0, len(times) - 1)
    # searchsorted gives the frame at or after each time; take the nearer neighbour.
    before = np.clip(frames - 1, 0, len(times) - 1)
    nearer = np.where(np.abs(times[before] - frame_times) < np.abs(times[frames] - frame_times),
                      before, frames)
    return CanonicalRep(mean, spread, pose_mean, nearer.astype(int), len(used))


def _distance(rep: RepSpan, times: np.ndarray, angles: dict[str, np.ndarray],
              mean: dict[str, np.ndarray]) -> float:
    at = time_at(np.arange(SAMPLES, dtype=float), rep.start_s, rep.bottom_s, rep.end_s)
    total = 0.0
    for name, values in angles.items():
        diff = _resample(times, values, at) - mean[name]
        if np.isfinite(diff).any():
            total += float(np.nanmean(diff ** 2))
    return total


# --- the file ------------------------------------------------------------------------------

def _listed(array: np.ndarray) -> Any:
    return [_listed(item) for item in array] if array.ndim > 1 else \
        [None if not math.isfinite(v) else round(float(v), 4) for v in array]


def _array(data: Any, shape_tail: tuple[int, ...] = ()) -> np.ndarray:
    array = np.array(data, dtype=object)
    array = np.where(array == None, np.nan, array).astype(float)  # noqa: E711 (JSON null)
    if array.ndim == 0:
        raise ReferenceError(f"expected a list of numbers, found {data!r}")
    if shape_tail and array.shape[1:] != shape_tail:
        raise ReferenceError(f"an array has shape {array.shape}, expected (..., "
                             f"{', '.join(map(str, shape_tail))})")
    return array


def _body(reference: Reference) -> dict[str, Any]:
    c = reference.canonical
    return {
        "times_s": _listed(reference.times_s),
        "angles": {name: _listed(values) for name, values in reference.angles.items()},
        "keypoints": {view: _listed(points) for view, points in reference.keypoints.items()},
        "reps": [{"start_s": r.start_s, "bottom_s": r.bottom_s, "end_s": r.end_s,
                  "clean": r.clean} for r in reference.reps],
        "canonical": {
            "samples": SAMPLES, "bottom_sample": BOTTOM_SAMPLE, "reps_used": c.reps_used,
            "mean": {name: _listed(values) for name, values in c.mean.items()},
            "spread": {name: _listed(values) for name, values in c.spread.items()},
            "poses": {view: _listed(points) for view, points in c.poses.items()},
            "frames": [int(f) for f in c.frames],
        },
    }


def _hash(body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _with_hash(reference: Reference) -> Reference:
    # The hash is of the rounded arrays as stored, so a loaded file hashes the same.
    loaded = _from_body(json.loads(json.dumps(_body(reference))), reference.name,
                        reference.source, reference.fps)
    return Reference(**{**loaded.__dict__, "content_hash": _hash(_body(loaded))})


def save_reference(reference: Reference, path: Path) -> None:
    """Write `reference` to `path` (strict JSON); OSError when the path cannot be written."""
    document = {"format": FORMAT, "version": VERSION, "name": reference.name,
                "source": reference.source, "fps": reference.fps,
                "content_hash": reference.content_hash,
                "channels": list(CHANNELS), "views": reference.views, **_body(reference)}
    text = json.dumps(document, allow_nan=False, separators=(",", ":"))
    temporary = path.with_name(path.name + ".partial")
    temporary.write_text(text)
    temporary.replace(path)  # never a half-written reference under the real name


def _from_body(data: dict[str, Any], name: str, source: dict[str, str], fps: float
               ) -> Reference:
    c = data["canonical"]
    if c["samples"] != SAMPLES or c["bottom_sample"] != BOTTOM_SAMPLE:
        raise ReferenceError(f"canonical rep of {c['samples']} samples, expected {SAMPLES}")
    canonical = CanonicalRep(
        {n: _array(v) for n, v in c["mean"].items()},
        {n: _array(v) for n, v in c["spread"].items()},
        {v: _array(p, (33, 2)) for v, p in c["poses"].items()},
        np.array(c["frames"], dtype=int), int(c["reps_used"]))
    times = _array(data["times_s"])
    angles = {n: _array(v) for n, v in data["angles"].items()}
    keypoints = {v: _array(p, (33, 2)) for v, p in data["keypoints"].items()}
    if any(len(v) != len(times) for v in [*angles.values(), *keypoints.values()]):
        raise ReferenceError("the per-frame arrays do not have one value per frame")
    if len(canonical.frames) != SAMPLES or (len(times) and canonical.frames.max() >= len(times)):
        raise ReferenceError("the canonical rep's frames do not index the recording")
    reps = tuple(RepSpan(float(r["start_s"]), float(r["bottom_s"]), float(r["end_s"]),
                         bool(r["clean"])) for r in data["reps"])
    return Reference(name, source, fps, times, angles, keypoints, reps, canonical)


def load_reference(path: Path) -> Reference:
    """The reference stored at `path`; ReferenceError says why it cannot be used."""
    try:
        document = json.loads(Path(path).read_text())
    except OSError as error:
        raise ReferenceError(f"cannot read {path}: {error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReferenceError(f"{path} is not a reference file (not JSON: {error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ReferenceError(f"{path} is not a squat coach reference file")
    if document.get("version") != VERSION:
        raise ReferenceError(f"{path} is reference version {document.get('version')}; this "
                             f"squat coach reads version {VERSION}: build it again")
    try:
        reference = _from_body(document, str(document["name"]), dict(document["source"]),
                               float(document["fps"]))
        found = _hash(_body(reference))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        if isinstance(error, ReferenceError):
            raise
        raise ReferenceError(f"{path} is incomplete or damaged ({type(error).__name__}: "
                             f"{error})") from error
    if found != document.get("content_hash"):
        raise ReferenceError(f"{path} is damaged: its content does not match its hash")
    return Reference(**{**reference.__dict__, "content_hash": found})
