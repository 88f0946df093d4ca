"""`render_athlete` / `coach render-athlete`: a virtual squat session written to disk.

Writes one video per camera (`<camera>.mp4`), `ground_truth.json` (cameras, the program of reps,
and per frame: phase, rep, faults, angles, 3D landmarks, and per camera 2D landmarks with
occlusion), `rig_calibration.yaml` (the cameras' exact calibration, for `coach analyze
--calibration`) and `contact_sheet.png` (every camera at the key instants of each rep).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np
import yaml

from squat_common.cli_numbers import number
from squat_common.output_files import unwritable_folder_reason
from squat_common.rig_calibration import save_rig
from squat_virtual_athlete.camera import (
    FOV_DEG,
    MAX_SIDE_PX,
    MIN_SIDE_PX,
    VirtualCamera,
    rig_calibration,
)
from squat_virtual_athlete.session import VirtualSession
from squat_virtual_athlete.spec import AthleteSpec, SpecError, parse_faults

GROUND_TRUTH_FORMAT = "squat_coach.virtual_athlete.ground_truth/1"
RIG_CALIBRATION_FILE = "rig_calibration.yaml"
# The truth of every frame is kept until ground_truth.json is written (about 1 MB per second
# of session): a render is capped at ten minutes.
MAX_SESSION_S = 600.0
WORLD_FRAME = ("x forward (the athlete faces +x), y to the athlete's left, z up, metres; "
               "origin on the floor midway between the ankles (REP 103)")


def add_spec_arguments(parser: argparse.ArgumentParser) -> None:
    """Options that describe the athlete (shared with anything that builds an AthleteSpec)."""
    d = AthleteSpec()
    parser.add_argument("--reps", type=int, default=d.reps)
    parser.add_argument("--body-height", type=float, default=d.height_m, dest="height_m",
                        help="the athlete's height (m)")
    parser.add_argument("--min-knee-angle", type=float, default=d.min_knee_angle_deg,
                        dest="min_knee_angle_deg",
                        help="hip-knee-ankle angle at the bottom (deg; 180 = straight)")
    parser.add_argument("--descent", type=float, default=d.descent_s, dest="descent_s")
    parser.add_argument("--pause", type=float, default=d.pause_s, dest="pause_s")
    parser.add_argument("--ascent", type=float, default=d.ascent_s, dest="ascent_s")
    parser.add_argument("--rest", type=float, default=d.rest_s, dest="rest_s")
    parser.add_argument("--stance-width", type=float, default=d.stance_width_m,
                        dest="stance_width_m", help="ankle to ankle (m)")
    parser.add_argument("--toe-out", type=float, default=d.toe_out_deg, dest="toe_out_deg")
    parser.add_argument("--bar", action="store_true", help="hands on a bar on the upper back")
    parser.add_argument("--faults", default="",
                        help="e.g. 'knee_valgus:12@2,4; heel_lift:0.03' (size at the bottom; "
                             "reps counted from 1; no @: every rep)")
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--variability", type=float, default=d.variability,
                        help="rep-to-rep variation, 0 for identical reps")


def spec_from_arguments(args: argparse.Namespace) -> AthleteSpec:
    """The AthleteSpec the options describe; SpecError when they cannot be rendered."""
    spec = AthleteSpec(
        height_m=args.height_m, reps=args.reps, min_knee_angle_deg=args.min_knee_angle_deg,
        descent_s=args.descent_s, pause_s=args.pause_s, ascent_s=args.ascent_s,
        rest_s=args.rest_s, stance_width_m=args.stance_width_m, toe_out_deg=args.toe_out_deg,
        bar=args.bar, faults=parse_faults(args.faults), seed=args.seed,
        variability=args.variability)
    problems = spec.problems()
    if problems:
        raise SpecError("; ".join(problems))
    return spec


def cameras_from_rig(path: Path, width: int, height: int, fov_deg: float
                     ) -> list[VirtualCamera]:
    """Cameras of a rig YAML: `cameras: [{name, position: [x, y, z], look_at: [x, y, z],
    width, height, fov_deg}]` (look_at, width, height, fov_deg optional)."""
    try:
        data = yaml.safe_load(path.read_text())
        cameras = []
        if not isinstance(data, dict) or not data.get("cameras"):
            raise ValueError("it lists no cameras (cameras: [{name, position, ...}])")
        for entry in data["cameras"]:
            cameras.append(VirtualCamera.looking_at(
                str(entry["name"]), tuple(entry["position"]),
                tuple(entry.get("look_at", (0.0, 0.0, 0.8))), int(entry.get("width", width)),
                int(entry.get("height", height)), float(entry.get("fov_deg", fov_deg))))
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise SpecError(f"cannot read camera rig {path}: {error}") from error
    return cameras


def contact_sheet(session: VirtualSession, fps: float) -> np.ndarray:
    """Every camera (columns) at standing and at the middle of descent, bottom and ascent of
    each rep (rows), at half size."""
    times = [0.0]
    for rep in session.program.reps:
        times += [(rep.start_s + rep.bottom_s) / 2, (rep.bottom_s + rep.rise_s) / 2,
                  (rep.rise_s + rep.end_s) / 2]
    rows = []
    for time_s in times:
        instant = session.at(round(time_s * fps) / fps)
        tiles = []
        for name in session.cameras:
            tile = cv2.resize(session.render(name, instant, 0), None, fx=0.5, fy=0.5,
                              interpolation=cv2.INTER_AREA)
            label = f"{name} t={instant.motion.time_s:.2f}s rep {instant.motion.rep}"
            cv2.putText(tile, label, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1,
                        cv2.LINE_AA)
            tiles.append(tile)
        rows.append(np.hstack(tiles))
    return np.vstack(rows)


def render_session(session: VirtualSession, out: Path, fps: float, videos: bool = True,
                   progress: bool = False) -> dict:
    """Write the videos, ground truth and contact sheet of `session` to `out`; the truth."""
    out.mkdir(parents=True, exist_ok=True)
    frame_count = int(session.program.duration_s * fps) + 1
    writers = {}
    if videos:
        for name, camera in session.cameras.items():
            writer = cv2.VideoWriter(str(out / f"{name}.mp4"), cv2.VideoWriter_fourcc(*"mp4v"),
                                     fps, (camera.width, camera.height))
            if not writer.isOpened():
                raise OSError(f"OpenCV cannot write {out / f'{name}.mp4'}")
            writers[name] = writer
    frames = []
    try:
        for index in range(frame_count):
            instant = session.at(index / fps)
            for name, writer in writers.items():
                writer.write(session.render(name, instant, index))
            frames.append(session.truth(instant, index))
            if progress and index % 30 == 0:
                print(f"\rframe {index + 1}/{frame_count}", end="", file=sys.stderr)
    finally:
        for writer in writers.values():
            writer.release()
    if progress:
        print(file=sys.stderr)
    spec = session.spec
    truth = {
        "format": GROUND_TRUTH_FORMAT,
        "world_frame": WORLD_FRAME,
        "fps": fps,
        "frame_count": frame_count,
        "athlete": {**asdict(spec), "faults": [asdict(f) for f in spec.faults]},
        "reps": [asdict(rep) for rep in session.program.reps],
        "cameras": {name: {**camera.pose_dict(),
                           "video": f"{name}.mp4" if videos else None}
                    for name, camera in session.cameras.items()},
        "frames": frames,
    }
    (out / "ground_truth.json").write_text(json.dumps(truth, allow_nan=False))
    save_rig(out / RIG_CALIBRATION_FILE, rig_calibration(list(session.cameras.values())))
    cv2.imwrite(str(out / "contact_sheet.png"), contact_sheet(session, fps))
    return truth


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The options of render_athlete."""
    parser = parser or argparse.ArgumentParser(
        prog="render_athlete", description="Render a virtual squat session with ground truth.")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    add_spec_arguments(parser)
    parser.add_argument("--fps", type=number(float, 1.0, 120.0), default=30.0)
    parser.add_argument("--width", type=number(int, MIN_SIDE_PX, MAX_SIDE_PX), default=640)
    parser.add_argument("--height", type=number(int, MIN_SIDE_PX, MAX_SIDE_PX), default=480,
                        dest="height_px")
    parser.add_argument("--fov", type=number(float, *FOV_DEG), default=60.0,
                        help="horizontal field of view")
    parser.add_argument("--cameras", default="front,side",
                        help="default rig cameras to render (front, side)")
    parser.add_argument("--rig", type=Path, help="camera rig YAML (replaces --cameras)")
    parser.add_argument("--noise", type=number(float, 0.0, 50.0), default=2.0,
                        help="sensor noise sigma (grey levels); 0 for clean frames")
    parser.add_argument("--no-video", action="store_true",
                        help="ground truth and contact sheet only")
    return parser


def run(args: argparse.Namespace) -> int:
    """Render as `args` say; 2 for a specification that cannot be rendered."""
    try:
        spec = spec_from_arguments(args)
        if args.rig:
            cameras = cameras_from_rig(args.rig, args.width, args.height_px, args.fov)
        else:
            cameras = [VirtualCamera.default(name.strip(), args.width, args.height_px, args.fov)
                       for name in args.cameras.split(",") if name.strip()]
        if not cameras:
            raise SpecError("no camera to render: give --cameras front,side or a --rig with "
                            "cameras")
        if len({c.name for c in cameras}) < len(cameras):
            raise SpecError("two cameras have the same name (each names its video)")
        session = VirtualSession(spec, cameras, args.noise)
        if session.program.duration_s > MAX_SESSION_S:
            raise SpecError(f"a session of {session.program.duration_s:.0f} s is longer than "
                            f"the {MAX_SESSION_S:.0f} s render_athlete writes (fewer --reps)")
        problem = unwritable_folder_reason(args.output)
        if problem:
            raise SpecError(problem)
    except (SpecError, ValueError) as error:
        print(f"render_athlete: {error}", file=sys.stderr)
        return 2
    truth = render_session(session, args.output, args.fps, not args.no_video, progress=True)
    print(f"{truth['frame_count']} frames x {len(cameras)} cameras, "
          f"{len(session.program.reps)} reps -> {args.output}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `ros2 run squat_camera render_athlete`."""
    return run(build_parser().parse_args(argv))
