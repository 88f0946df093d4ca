"""Benchmark: the two views as one 3D measurement, on the virtual athlete (issue 18's tables).

Keypoints are the virtual athlete's true landmarks as each camera projects them, with 1 px of
noise (MediaPipe's own error is measured on rendered video by test/test_analyze_3d.py). For each
rig (the default, and cameras turned 20-40 deg off their axes at 0.5-1.5 m high), a 2-rep set
with a 15 deg knee valgus on rep 2 is analysed:
- 3D joint error (mean over shoulders, hips, knees, ankles) with the exact calibration, and with
  the athlete-only calibration (self_calibration, 5 % of side frames with the legs swapped;
  after a similarity alignment), and that calibration's rotation error (deg) and baseline
  error (% of the baseline) against the true rig;
- knee flexion, hip flexion, trunk lean and knee valgus RMSE against the rendered angles: 3D
  beside the front view alone and the side view alone (2D);
(the 3D angles lag a little behind the truth: pose_node's One Euro smoothing, stereo.*); then
the gain from interpolating the later view to the earlier stamp with cameras 0, 8 and 16 ms
apart (smoothing nearly off), and the cost of triangulation + 3D measures per pair (against
the 2D analysis of the same pairs). Prints figures; asserts nothing.
Usage: source scripts/env.sh; python test/bench/bench_3d.py
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.virtual_athlete_eval import rig, seen_by, similarity_aligned
from squat_pose.analysis import AnalyzerSettings, SquatAnalyzer
from squat_pose.geometry_3d import measures_3d
from squat_pose.landmarks import INDEX, LANDMARK_NAMES, MIRROR
from squat_pose.self_calibration import calibrate_from_athlete
from squat_pose.stereo import LiveTriangulator, StereoSettings
from squat_pose.triangulation import Observation, triangulate
from squat_virtual_athlete.camera import VirtualCamera, rig_calibration
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import AthleteSpec, parse_faults

FPS = 30.0
RIGS = {"default (frontal, sagittal)": dict(),
        "yaw +20, 0.5 m high": dict(yaw_deg=20.0, height_m=0.5),
        "yaw -30, 1.5 m high": dict(yaw_deg=-30.0, height_m=1.5),
        "yaw +40, 1.0 m high": dict(yaw_deg=40.0, height_m=1.0)}
JOINTS = [INDEX[f"{s}_{j}"] for s in ("left", "right")
          for j in ("shoulder", "hip", "knee", "ankle")]
ANGLES = {"knee flexion": ("knee_flexion_left", "knee_flexion_right"),
          "hip flexion": ("hip_flexion_left", "hip_flexion_right"),
          "trunk lean": ("trunk_lean",),
          "knee valgus": ("knee_valgus_left", "knee_valgus_right")}


def truth_at(session: VirtualSession, t: float) -> tuple[np.ndarray, dict]:
    instant = session.at(t)
    landmarks = instant.skeleton.landmarks
    return (np.array([landmarks[name] for name in LANDMARK_NAMES]),
            session.truth(instant, 0)["angles"])


def rmse(found: list[float], true: list[float]) -> float:
    pairs = [(f, t) for f, t in zip(found, true, strict=True) if np.isfinite(f)]
    if len(pairs) < 0.5 * len(found):
        return float("nan")  # the view does not measure it on most frames
    return float(np.sqrt(np.mean([(f - t) ** 2 for f, t in pairs])))


def accuracy(name: str, cameras: dict[str, VirtualCamera]) -> None:
    spec = AthleteSpec(reps=2, faults=parse_faults("knee_valgus:15@2"))
    session = VirtualSession(spec, [])
    exact = rig_calibration(list(cameras.values()))
    analyzers = {"3D": SquatAnalyzer(AnalyzerSettings(), exact),
                 "front 2D": SquatAnalyzer(AnalyzerSettings()),
                 "side 2D": SquatAnalyzer(AnalyzerSettings())}
    rng = np.random.default_rng(0)
    found = {key: {angle: [] for angle in ANGLES} for key in analyzers}
    true = {angle: [] for angle in ANGLES}
    errors, observed, truths = [], {"front": [], "side": []}, []
    for index in range(int(session.program.duration_s * FPS)):
        t = index / FPS
        points, angles = truth_at(session, t)
        seen = {view: seen_by(camera, points, rng) for view, camera in cameras.items()}
        frames = {"3D": analyzers["3D"].update(t, seen["front"], seen["side"]),
                  "front 2D": analyzers["front 2D"].update(t, seen["front"], None),
                  "side 2D": analyzers["side 2D"].update(t, None, seen["side"])}
        for angle, keys in ANGLES.items():
            true[angle].append(np.mean([angles[k] for k in keys]))
            for kind, frame in frames.items():
                values = [frame.measures[k].value for k in keys if k in frame.measures]
                found[kind][angle].append(np.mean(values) if values else np.nan)
        if frames["3D"].landmarks_3d is not None:
            got = frames["3D"].landmarks_3d.points[JOINTS]
            ok = np.all(np.isfinite(got), axis=1)
            errors.extend(np.linalg.norm(got[ok] - points[JOINTS][ok], axis=1))
        for view, pose in seen.items():
            pixels = pose.pixels
            if view == "side" and rng.random() < 0.05:
                pixels = pixels[list(MIRROR)]  # MediaPipe takes the far leg for the near one
            observed[view].append(Observation(pixels, pose.visibility, pose.world))
        truths.append(points)
    for analyzer in analyzers.values():
        analyzer.finish()
    valgus_reps = [("knee_valgus" in r.fault_codes) for r in analyzers["3D"].reports]
    print(f"\n{name}: 3D joint error {1000 * np.mean(errors):.0f} mm (exact calibration); "
          f"valgus flagged on reps {[i + 1 for i, v in enumerate(valgus_reps) if v]} "
          "(rendered on rep 2)")
    print(f"  {'RMSE, deg':14s}" + "".join(f"{kind:>10s}" for kind in analyzers))
    for angle in ANGLES:
        print(f"  {angle:14s}" + "".join(f"{rmse(found[kind][angle], true[angle]):10.1f}"
                                         for kind in analyzers))
    self_calibration(cameras, observed, truths)


def self_calibration(cameras: dict[str, VirtualCamera], observed: dict[str, list],
                     truths: list[np.ndarray]) -> None:
    intrinsics = {view: camera.calibration() for view, camera in cameras.items()}
    start = time.perf_counter()
    made = calibrate_from_athlete(observed["front"], observed["side"], intrinsics, 1.75)
    seconds = time.perf_counter() - start
    front, side = cameras["front"], cameras["side"]
    true_turn = front.rotation.T @ side.rotation
    got_turn = made.cameras["front"].rotation.T @ made.cameras["side"].rotation
    rotation_deg = np.degrees(np.arccos(np.clip((np.trace(got_turn.T @ true_turn) - 1) / 2,
                                                -1, 1)))
    true_base = front.rotation.T @ (side.position - front.position)
    got_base = made.cameras["front"].rotation.T @ (made.cameras["side"].position -
                                                   made.cameras["front"].position)
    baseline_pct = 100 * np.linalg.norm(got_base - true_base) / np.linalg.norm(true_base)
    found, true = [], []
    for f, s, points in zip(observed["front"], observed["side"], truths, strict=True):
        got = triangulate({"front": f, "side": s}, made).points[JOINTS]
        ok = np.all(np.isfinite(got), axis=1)
        found.extend(got[ok])
        true.extend(points[JOINTS][ok])
    found, true = np.array(found), np.array(true)
    aligned = similarity_aligned(found, true)
    print(f"  athlete-only calibration ({seconds:.1f} s): rotation {rotation_deg:.2f} deg, "
          f"baseline {baseline_pct:.1f} % off, reprojection {made.reprojection_error_px:.2f} "
          f"px; joint error {1000 * np.linalg.norm(aligned - true, axis=1).mean():.0f} mm "
          "after a similarity alignment")


def interpolation_gain(cameras: dict[str, VirtualCamera]) -> None:
    print("\ncameras apart (side frame later) -> 3D joint error, mm (default rig)")
    session = VirtualSession(AthleteSpec(reps=2, descent_s=1.0, ascent_s=0.8), [])
    exact = rig_calibration(list(cameras.values()))
    for offset_ms in (0.0, 8.0, 16.0):
        result = []
        for gap in (StereoSettings().max_interpolation_gap_s, 0.0):
            # Smoothing nearly off: its lag would mix with what interpolation does.
            triangulator = LiveTriangulator(exact, replace(
                StereoSettings(), max_interpolation_gap_s=gap, min_cutoff_hz=30.0, beta=100.0))
            rng = np.random.default_rng(1)
            errors = []
            for index in range(int(session.program.duration_s * FPS)):
                t = index / FPS
                front_points, _ = truth_at(session, t)
                side_points, _ = truth_at(session, t + offset_ms / 1000)
                seen = {"front": (t, pose_observation(cameras["front"], front_points, rng)),
                        "side": (t + offset_ms / 1000,
                                 pose_observation(cameras["side"], side_points, rng))}
                landmarks = triangulator.update(seen)
                if landmarks is not None:
                    got = landmarks.points[JOINTS]
                    ok = np.all(np.isfinite(got), axis=1)
                    errors.extend(np.linalg.norm(got[ok] - front_points[JOINTS][ok], axis=1))
            result.append(1000 * np.mean(errors))
        print(f"  {offset_ms:4.0f} ms: interpolated {result[0]:.1f}, as they are {result[1]:.1f}")


def pose_observation(camera: VirtualCamera, points: np.ndarray,
                     rng: np.random.Generator) -> Observation:
    pose = seen_by(camera, points, rng)
    return Observation(pose.pixels, pose.visibility)


def cost(cameras: dict[str, VirtualCamera], pairs: int = 600) -> None:
    session = VirtualSession(AthleteSpec(reps=2), [])
    exact = rig_calibration(list(cameras.values()))
    rng = np.random.default_rng(2)
    seen = []
    for index in range(pairs):
        points, _ = truth_at(session, (index % 200) / FPS)
        seen.append({view: (index / FPS, pose_observation(camera, points, rng))
                     for view, camera in cameras.items()})
    triangulator = LiveTriangulator(exact)
    start = time.perf_counter()
    for pair in seen:
        landmarks = triangulator.update(pair)
        measures_3d(landmarks.points, landmarks.confidence)
    per_pair = (time.perf_counter() - start) / pairs * 1000
    flat = SquatAnalyzer(AnalyzerSettings())
    poses = [{view: seen_by(camera, truth_at(session, (i % 200) / FPS)[0], rng)
              for view, camera in cameras.items()} for i in range(pairs)]
    start = time.perf_counter()
    for i, pose in enumerate(poses):
        flat.update(i / FPS, pose["front"], pose["side"])
    flat_ms = (time.perf_counter() - start) / pairs * 1000
    calibrated = SquatAnalyzer(AnalyzerSettings(), exact)
    start = time.perf_counter()
    for i, pose in enumerate(poses):
        calibrated.update(i / FPS, pose["front"], pose["side"])
    both_ms = (time.perf_counter() - start) / pairs * 1000
    print(f"\ncost per pair ({pairs} pairs): triangulation + 3D measures {per_pair:.3f} ms; "
          f"the whole analysis {flat_ms:.3f} ms in 2D, {both_ms:.3f} ms with 3D "
          f"(x{both_ms / flat_ms:.2f}); MediaPipe itself ~9-10 ms a view")


def main() -> None:
    for name, placement in RIGS.items():
        accuracy(name, rig(**placement))
    interpolation_gain(rig())
    cost(rig())


if __name__ == "__main__":
    main()
