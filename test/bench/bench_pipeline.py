"""Benchmark: the whole pipeline as `coach run --record` runs it, two 30 fps virtual cameras
(the rendered athlete, 5 reps) -> pose_node -> feedback_node, recorded to a bag.

Prints pairs/s end to end, capture -> SquatState latency (p50/p95, the state's stamp is the
capture time; received in this process), rep end -> Feedback latency, CPU (share of one core)
and peak memory of each node, the bag's write rate and size per minute, and the camera frames
lost to recording (published by the camera, per its diagnostics, minus those in the bag; goal
0). Prints; asserts nothing.
Usage: source scripts/env.sh; python test/bench/bench_pipeline.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosbags.rosbag2 import Reader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.ros_listener import RosListener
from squat_common.qos import REP_QOS
from squat_msgs.msg import Feedback, RepSummary, SquatState

REPO = Path(__file__).resolve().parents[2]
RELIABLE = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
NODES = ("camera_node", "virtual_camera_node", "pose_node", "feedback_node", "session_recorder")
TICKS = os.sysconf("SC_CLK_TCK")


class Timed(RosListener):
    """Keeps each message with the moment it arrived here (ns, system clock)."""

    def __init__(self) -> None:
        super().__init__([], "bench_pipeline")
        self.arrived: dict[int, int] = {}
        for topic, kind, qos in (("/squat/state", SquatState, RELIABLE),
                                 ("/squat/rep", RepSummary, REP_QOS),
                                 ("/squat/feedback", Feedback, RELIABLE),
                                 ("/diagnostics", DiagnosticArray, RELIABLE)):
            kept = self.received[topic] = []
            self.node.create_subscription(kind, topic, lambda m, kept=kept: self._keep(m, kept),
                                          qos)

    def _keep(self, message: object, kept: list) -> None:
        kept.append(message)
        self.arrived[id(message)] = time.time_ns()


def _stamp(message: object) -> int:
    return message.header.stamp.sec * 1_000_000_000 + message.header.stamp.nanosec


def node_processes(parent: int) -> dict[int, str]:
    """The children of `parent` that are squat coach nodes, by pid."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
            if int(fields.get("PPid", "0")) != parent:
                continue
            command = (status.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        name = next((Path(part.decode()).name for part in command
                     if Path(part.decode()).name in NODES), None)
        if name:
            ns = next((p.decode().split(":=")[1] for p in command if p.startswith(b"__ns:=")),
                      "")
            found[int(status.parent.name)] = f"{ns.strip('/')}/{name}".lstrip("/")
    return found


def cpu_ticks_and_rss(pid: int) -> tuple[int, int]:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    rss_kb = next(int(line.split()[1]) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines()
                  if line.startswith("VmRSS:"))
    return int(stat[11]) + int(stat[12]), rss_kb


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench_pipeline_"))
    bag = work / "bag"
    listener = Timed()
    run = subprocess.Popen([str(REPO / "scripts" / "coach"), "run", "--record", str(bag),
                            "--log-dir", str(work / "logs"), "--quiet"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                           env=dict(os.environ, XDG_DATA_HOME=str(work)),
                           start_new_session=True)
    usage: dict[str, list[tuple[float, int, int]]] = {}
    try:
        while run.poll() is None:
            listener.spin(1.0)
            now = time.monotonic()
            for pid, name in node_processes(run.pid).items():
                try:
                    ticks, rss = cpu_ticks_and_rss(pid)
                except (OSError, StopIteration):
                    continue
                usage.setdefault(name, []).append((now, ticks, rss))
        listener.spin(1.0)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGINT)
            run.wait(timeout=60)
    out = run.stdout.read()
    states = listener.received["/squat/state"]
    if not states:
        print("no state arrived: see", work / "logs")
        print(out)
        return
    latency_ms = np.array([(listener.arrived[id(s)] - _stamp(s)) / 1e6 for s in states])
    span_s = (_stamp(states[-1]) - _stamp(states[0])) / 1e9
    reps = {r.rep_index: listener.arrived[id(r)] for r in listener.received["/squat/rep"]}
    feedback = [(listener.arrived[id(f)] - reps[f.rep_index]) / 1e6
                for f in listener.received["/squat/feedback"] if f.rep_index in reps]
    print(f"received here: {len(states)} states, {len(reps)} reps, "
          f"{len(listener.received['/squat/feedback'])} feedback")
    print(f"pairs analysed: {len(states)} over {span_s:.1f} s = {len(states) / span_s:.1f} "
          "pairs/s (cameras offer 30)")
    print(f"capture -> SquatState: p50 {np.percentile(latency_ms, 50):.0f} ms, p95 "
          f"{np.percentile(latency_ms, 95):.0f} ms")
    if feedback:
        print(f"rep end -> Feedback: p50 {np.percentile(feedback, 50):.0f} ms, p95 "
              f"{np.percentile(feedback, 95):.0f} ms over {len(feedback)} reps")
    print("node                      CPU (share of one core)   peak RSS (MB)")
    for name, samples in sorted(usage.items()):
        if len(samples) < 2:
            continue
        (t0, c0, _), (t1, c1, _) = samples[0], samples[-1]
        cpu = (c1 - c0) / TICKS / max(t1 - t0, 1e-9)
        print(f"{name:25s} {cpu:5.2f}                     {max(s[2] for s in samples) / 1024:6.0f}")
    size_mb = sum(f.stat().st_size for f in bag.glob("*.mcap")) / 1e6
    with Reader(bag) as reader:
        counts = {c.topic: c.msgcount for c in reader.connections}
        duration_s = reader.duration / 1e9
    print(f"bag: {size_mb:.1f} MB over {duration_s:.1f} s = {size_mb / duration_s:.2f} MB/s, "
          f"{size_mb / duration_s * 60:.0f} MB per minute")
    published: dict[str, int] = {}
    for array in listener.received["/diagnostics"]:
        for status in array.status:
            if status.name.split(": ")[-1].startswith("camera "):
                values = {v.key: v.value for v in status.values}
                if "frames_published" in values:
                    camera = status.name.split("camera ", 1)[1]
                    published[camera] = max(published.get(camera, 0),
                                            int(values["frames_published"]))
    for camera, sent in sorted(published.items()):
        topic = next((t for t in counts if t.endswith("/image_raw/compressed")
                      and camera in t), None)
        recorded = counts.get(topic, 0) if topic else 0
        print(f"{camera}: published {sent}, in the bag {recorded}, lost to recording "
              f"{max(sent - recorded, 0)} (the last diagnostics may lag the end by 1 s)")
    print(out.strip())
    print("work folder:", work)
    listener.close()


if __name__ == "__main__":
    main()
