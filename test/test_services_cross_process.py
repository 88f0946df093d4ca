"""SetReference and AskCoach served by one OS process and called from another."""

from __future__ import annotations

import time

import pytest
import rclpy
from rclpy.executors import SingleThreadedExecutor

from squat_msgs.srv import AskCoach, SetReference


@pytest.fixture
def caller(spawn_helper):
    server = spawn_helper("interface_test_server")
    context = rclpy.Context()
    rclpy.init(context=context)
    node = rclpy.create_node("service_caller", context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)

    def call(service_type, name: str, request, timeout_s: float = 20.0):
        client = node.create_client(service_type, name)
        assert client.wait_for_service(timeout_sec=timeout_s), (
            f"{name} never appeared; server output: {server.stdout.read() if server.poll() else ''}"
        )
        future = client.call_async(request)
        deadline = time.monotonic() + timeout_s
        while not future.done() and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.1)
        assert future.done(), f"{name} did not answer within {timeout_s} s"
        return future.result()

    yield call
    executor.shutdown()
    node.destroy_node()
    rclpy.shutdown(context=context)


def test_set_reference_loads_an_existing_file(caller, tmp_path):
    reference = tmp_path / "coach.npz"
    reference.write_bytes(b"x" * 150)

    response = caller(SetReference, "set_reference", SetReference.Request(path=str(reference)))

    assert response.success is True
    assert response.message == f"loaded {reference}"
    assert response.summary.path == str(reference)
    assert response.summary.name == "coach.npz"
    assert list(response.summary.views) == ["front", "side"]
    assert response.summary.frame_count == 150
    assert response.summary.duration_s == 5.5
    assert response.summary.rep_count == 1
    assert response.summary.min_knee_angle_deg == 118.25


def test_set_reference_refuses_a_missing_file(caller, tmp_path):
    missing = tmp_path / "absent.npz"

    response = caller(SetReference, "set_reference", SetReference.Request(path=str(missing)))

    assert response.success is False
    assert response.message == f"no reference file at {missing}"
    assert response.summary.path == ""


def test_ask_coach_round_trip(caller):
    question = "왜 무릎이 안쪽으로 모여요? (why do my knees cave in?)"

    response = caller(
        AskCoach, "ask_coach", AskCoach.Request(question=question, include_latest_rep=True)
    )

    assert response.answer == f"echo[True]: {question}"
    assert list(response.sources) == ["squat-depth", "knee-valgus"]
    assert response.latency_ms == 12.5
    assert response.generator == "interface-test"
