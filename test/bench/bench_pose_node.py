"""Benchmark: two 640x480 30 fps camera nodes -> pose_node on this machine, for 20 s.

Reports pairs processed / pairs offered (the rest were dropped as the node fell behind),
capture-to-SquatState latency p50/p95 (pose_node's diagnostics), and the node's time per pair
against bare MediaPipe on the same frames in this process (MultiViewEstimator, both views in
parallel): ratio = bare ms / node ms (1.0 = the node adds nothing); once in 2D and once with
a rig calibration (the virtual default rig: the same clip in both cameras, so most landmarks
fail the reprojection gate, but every pair is triangulated and measured), in the same run.
Prints; asserts nothing.
Usage: source scripts/env.sh; python test/bench/bench_pose_node.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.executors import SingleThreadedExecutor

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_camera import make_clip

from helpers.ros2_run import ros2_run
from squat_common.rig_calibration import save_rig
from squat_msgs.msg import SquatState
from squat_pose.pose_estimation import MultiViewEstimator
from squat_virtual_athlete.camera import VirtualCamera, rig_calibration


def bare_ms_per_pair(clip: Path, pairs: int = 150) -> float:
    capture = cv2.VideoCapture(str(clip))
    frames = [capture.read()[1] for _ in range(pairs)]
    estimator = MultiViewEstimator()
    estimator.estimate({"front": frames[0], "side": frames[0]})
    start = time.perf_counter()
    for frame in frames:
        estimator.estimate({"front": frame, "side": frame})
    elapsed = time.perf_counter() - start
    estimator.close()
    return elapsed / pairs * 1000


def run_graph(clip: Path, seconds: float, parameters: list[str]) -> tuple[dict, list[float]]:
    """pose_node (with `parameters`) fed by two looping camera nodes for `seconds`: its last
    diagnostics and the arrival times of its states."""
    rclpy.init()
    node = rclpy.create_node("bench_pose")
    report: dict[str, str] = {}
    states: list[float] = []
    node.create_subscription(
        DiagnosticArray, "/diagnostics",
        lambda a: [report.update({v.key: v.value for v in s.values}) for s in a.status
                   if s.name.startswith("pose_node")], 10)
    node.create_subscription(SquatState, "squat/state", lambda _: states.append(time.monotonic()),
                             100)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    processes = [subprocess.Popen(ros2_run("squat_pose", "pose_node", *parameters),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        while node.count_publishers("squat/state") == 0:
            executor.spin_once(timeout_sec=0.1)
        for view in ("front", "side"):
            processes.append(subprocess.Popen(
                ros2_run("squat_camera", "camera_node", "-r", f"__ns:=/{view}",
                         "-p", f"camera_name:={view}", "-p", f"video_device:={clip}",
                         "-p", "loop:=true", "-p", "framerate:=30.0"),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 5 + seconds
        while time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.05)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        executor.shutdown()
        rclpy.try_shutdown()
    return report, states


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_pose_"))
    clip = folder / "clip.mp4"
    print(f"clip: {make_clip(clip)}, 640x480, 30 fps, looped in both cameras")
    rig = folder / "rig.yaml"
    save_rig(rig, rig_calibration([VirtualCamera.default(v) for v in ("front", "side")]))
    bare_ms = bare_ms_per_pair(clip)
    for name, parameters in (("2D", []),
                             ("3D (calibration_path set)",
                              ["-p", f"calibration_path:={rig}"])):
        report, states = run_graph(clip, args.seconds, parameters)
        offered = int(report.get("pairs_total", 0))
        processed = int(report.get("pairs_processed", 0))
        node_ms = float(report.get("process_ms_p50", "nan"))
        recent = [t for t in states if t > states[-1] - 10] if states else []
        print(f"{name}: pairs offered {offered}, processed {processed} "
              f"({processed / max(offered, 1):.2f}), dropped behind "
              f"{report.get('pairs_dropped_behind')}; states/s over the last 10 s "
              f"{len(recent) / 10:.1f}; capture -> SquatState latency p50/p95 "
              f"{report.get('state_latency_p50_ms')}/{report.get('state_latency_p95_ms')} ms; "
              f"time per pair {node_ms:.1f} ms against bare MediaPipe {bare_ms:.1f} ms "
              f"(ratio {bare_ms / node_ms:.2f})")


if __name__ == "__main__":
    main()
