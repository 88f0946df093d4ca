"""Benchmark: two camera_node processes at 640x480, 30 fps, for 20 s, measured from outside.

Plays a 640x480 30 fps clip (made from the real footage in ../shared when present, else a
moving pattern) on a loop in two camera nodes, and reports per camera: achieved fps, jitter of
the capture stamps and of the arrival times against the ideal 33.3 ms period (p50/p95/p99),
capture-to-publish latency as the node reports it on /diagnostics (p50/p95), capture-to-arrival
latency here, and CPU % of one core per node. Prints figures; asserts nothing.
Usage: source scripts/env.sh; python test/bench/bench_camera.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.ros2_run import ros2_run

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "squat"
PERIOD_MS = 1000 / 30


def make_clip(path: Path, seconds: float = 10.0) -> str:
    """A 640x480 30 fps clip; real footage letterboxed when available."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (640, 480))
    source = SHARED / "reference" / "coach_front.mp4"
    capture = cv2.VideoCapture(str(source)) if source.is_file() else None
    for index in range(int(seconds * 30)):
        ok, frame = capture.read() if capture is not None else (False, None)
        if not ok and capture is not None:
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = capture.read()
        canvas = np.zeros((480, 640, 3), np.uint8)
        if ok:
            canvas[60:420] = cv2.resize(frame, (640, 360))
        else:
            cv2.circle(canvas, (index * 7 % 640, 240), 40, (0, 200, 255), -1)
        writer.write(canvas)
    writer.release()
    return "real footage (coach_front.mp4, letterboxed)" if capture is not None else "pattern"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentiles(values: list[float], points=(50, 95, 99)) -> str:
    if not values:
        return "n/a"
    return "/".join(f"{v:.2f}" for v in np.percentile(np.abs(values), points))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench_camera_"))
    clip = workdir / "clip_640x480_30fps.mp4"
    print(f"clip: {make_clip(clip)}; Fast DDS profile: "
          f"{os.environ.get('FASTRTPS_DEFAULT_PROFILES_FILE', 'default')}")

    rclpy.init()
    node = rclpy.create_node("bench_camera")
    cameras = ("front", "side")
    arrivals: dict[str, list[tuple[int, int]]] = {name: [] for name in cameras}
    diagnostics: dict[str, dict[str, str]] = {}

    def on_image(name: str):
        def record(message: Image) -> None:
            stamp = message.header.stamp.sec * 10**9 + message.header.stamp.nanosec
            arrivals[name].append((stamp, node.get_clock().now().nanoseconds))
        return record

    def on_diagnostics(message: DiagnosticArray) -> None:
        for status in message.status:
            for name in cameras:
                if status.name.endswith(f"camera {name}"):
                    diagnostics[name] = {kv.key: kv.value for kv in status.values}

    for name in cameras:
        node.create_subscription(Image, f"/{name}/image_raw", on_image(name),
                                 qos_profile_sensor_data)
    node.create_subscription(DiagnosticArray, "/diagnostics", on_diagnostics, 10)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    processes = {
        name: subprocess.Popen(ros2_run(
            "squat_camera", "camera_node", "-r", f"__ns:=/{name}", "-p", f"camera_name:={name}",
            "-p", f"video_device:={clip}", "-p", "framerate:=30.0", "-p", "loop:=true",
            "-p", "wait_for_subscribers:=1"))
        for name in cameras
    }
    try:
        deadline = time.monotonic() + 20
        while not all(arrivals.values()) and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.05)
        time.sleep(1.0)
        for name in cameras:
            arrivals[name].clear()
        cpu_start = {name: cpu_seconds(p.pid) for name, p in processes.items()}
        wall_start = time.monotonic()
        while time.monotonic() - wall_start < args.seconds:
            executor.spin_once(timeout_sec=0.05)
        wall = time.monotonic() - wall_start
        cpu = {name: cpu_seconds(p.pid) - cpu_start[name] for name, p in processes.items()}
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=10)
        executor.shutdown()
        rclpy.try_shutdown()

    print(f"{args.seconds:.0f} s, 2 cameras, 640x480 bgr8, target 30 fps")
    print(f"{'camera':7s} {'fps':>7s} {'stamp jitter ms':>17s} {'arrival jitter ms':>19s} "
          f"{'node lat p50/p95':>17s} {'arrival lat p50/p95':>20s} {'CPU %':>6s}")
    for name in cameras:
        stamps = np.array([s for s, _ in arrivals[name]], dtype=np.int64)
        received = np.array([r for _, r in arrivals[name]], dtype=np.int64)
        fps = (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1e9) if len(stamps) > 1 else 0.0
        stamp_jitter = list(np.diff(stamps) / 1e6 - PERIOD_MS)
        arrival_jitter = list(np.diff(received) / 1e6 - PERIOD_MS)
        latency = list((received - stamps) / 1e6)
        node_latency = (f"{diagnostics.get(name, {}).get('latency_p50_ms', '?')}/"
                        f"{diagnostics.get(name, {}).get('latency_p95_ms', '?')}")
        print(f"{name:7s} {fps:7.2f} {percentiles(stamp_jitter):>17s} "
              f"{percentiles(arrival_jitter):>19s} {node_latency:>17s} "
              f"{percentiles(latency, (50, 95)):>20s} {100 * cpu[name] / wall:6.1f}")
    print("stamp jitter: a file's stamps follow its frame times, so this is 0 by construction;"
          " arrival jitter shows how evenly frames are paced and delivered.")


if __name__ == "__main__":
    main()
