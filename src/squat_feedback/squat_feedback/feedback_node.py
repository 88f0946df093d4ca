"""feedback_node: coaching on every finished rep, and answers to trainers' questions.

Subscribes squat/rep (RepSummary); publishes squat/feedback (Feedback) for every rep or those
under score_threshold; serves squat/ask_coach (AskCoach); /diagnostics at 1 Hz. Retrieval and
generation are squat_feedback.coach_chain, the same as `coach ask`.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node

from squat_camera.ros_node_support import (
    REP_QOS,
    NodeConfigurationError,
    described,
    diagnostics,
    float_range,
    integer_range,
    run_node,
)
from squat_feedback.chat_models import GENERATORS
from squat_feedback.coach_chain import Answer
from squat_feedback.coach_factory import FeedbackSettings, ResilientCoach
from squat_feedback.knowledge_base import KnowledgeError
from squat_feedback.knowledge_index import IndexUnavailable
from squat_feedback.rep_context import RepContext
from squat_feedback.rep_messages import FEEDBACK_ON, rep_context, wants_feedback
from squat_msgs.msg import Feedback, RepSummary
from squat_msgs.srv import AskCoach


class FeedbackNode(Node):
    """Thin node: parameters in; Feedback and AskCoach answers out."""

    def __init__(self) -> None:
        super().__init__("feedback_node")
        settings, self._mode, self._threshold = self._declare_parameters()
        logger = self.get_logger()
        try:
            self._coach = ResilientCoach(settings, warn=logger.warning)
        except (KnowledgeError, IndexUnavailable) as error:
            raise NodeConfigurationError(str(error)) from error
        coach = self._coach.coach
        sync = coach.sync
        logger.info(f"knowledge index: {coach.index_description} ({sync.added} added, "
                    f"{sync.updated} updated, {sync.removed} removed, {sync.unchanged} "
                    f"unchanged in {sync.seconds:.1f} s); generator {coach.chain.generator}")
        self._latest_rep: RepContext | None = None
        self._latencies: deque[float] = deque(maxlen=200)
        self._published = 0
        self._answered = 0
        self._last_fallback = ""
        self._feedback_pub = self.create_publisher(Feedback, "squat/feedback", 10)
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        # pose_node keeps its recent reps for late joiners: a rep that ended while the index was
        # still being built is coached as soon as the node is up.
        self.create_subscription(RepSummary, "squat/rep", self._on_rep, REP_QOS)
        self.create_service(AskCoach, "squat/ask_coach", self._on_ask)
        self.create_timer(1.0, self._publish_diagnostics)

    def _declare_parameters(self) -> tuple[FeedbackSettings, str, float]:
        def value(name: str, default: object, descriptor: object) -> object:
            return self.declare_parameter(name, default, descriptor).value

        d = FeedbackSettings()
        settings = FeedbackSettings(
            knowledge_dir=Path(value("knowledge_dir", str(d.knowledge_dir), described(
                "Folder of the knowledge-base Markdown documents.")) or d.knowledge_dir),
            qdrant_path=Path(value("qdrant_path", str(d.qdrant_path), described(
                "Embedded Qdrant folder (one process owns it).")) or d.qdrant_path),
            qdrant_url=value("qdrant_url", "", described(
                "A Qdrant server instead of the embedded index (API key from "
                "$QDRANT_API_KEY); if it does not answer, the embedded index is used.")),
            generator=value("generator", "template", described(
                f"Who writes the answers: {', '.join(GENERATORS)}.")),
            llm_base_url=value("llm_base_url", "", described(
                "URL of the OpenAI-compatible or Ollama server.")),
            llm_model=value("llm_model", "", described(
                "Model name on the server; for llamacpp, a GGUF path (default SmolLM2).")),
            llm_api_key_env=value("llm_api_key_env", "OPENAI_API_KEY", described(
                "Environment variable holding the LLM server's API key.")),
            llm_timeout_s=value("llm_timeout_s", 10.0, float_range(
                "Seconds to wait for the LLM before the template answers.", 0.1, 300.0)),
            top_k=value("top_k", 3, integer_range("Documents retrieved per question.", 1, 20)),
            max_question_chars=value("max_question_chars", d.max_question_chars, integer_range(
                "Longest question answered.", 10, 10000)),
            max_answer_chars=value("max_answer_chars", d.max_answer_chars, integer_range(
                "Longest LLM answer accepted.", 100, 10000)),
        )
        mode = value("feedback_on", "all", described(
            f"Which reps get feedback: {', '.join(FEEDBACK_ON)}."))
        if mode not in FEEDBACK_ON:
            raise NodeConfigurationError(f"feedback_on {mode!r} is not one of "
                                         f"{', '.join(FEEDBACK_ON)}")
        if settings.generator not in GENERATORS:
            raise NodeConfigurationError(f"generator {settings.generator!r} is not one of "
                                         f"{', '.join(GENERATORS)}")
        threshold = value("score_threshold", 70.0, float_range(
            "With feedback_on below_threshold: reps scoring under this get feedback.",
            0.0, 100.0))
        return settings, mode, threshold

    def _on_rep(self, summary: RepSummary) -> None:
        rep = rep_context(summary)
        self._latest_rep = rep
        if not wants_feedback(summary, self._mode, self._threshold):
            return
        try:
            answer = self._coach.run(lambda chain: chain.feedback(rep))
        except Exception as error:  # a broken index or model must not stop the node
            self.get_logger().error(f"no feedback for rep {rep.rep_index}: {error}")
            return
        self._note(answer)
        message = Feedback(rep_index=rep.rep_index, text=answer.text,
                           source_ids=answer.sources, fault_codes=answer.fault_codes,
                           generator=answer.generator)
        message.header.stamp = self.get_clock().now().to_msg()
        message.header.frame_id = summary.header.frame_id
        self._feedback_pub.publish(message)
        self._published += 1

    def _on_ask(self, request: AskCoach.Request, response: AskCoach.Response
                ) -> AskCoach.Response:
        rep = self._latest_rep if request.include_latest_rep else None
        try:
            answer = self._coach.run(lambda chain: chain.ask(request.question, rep))
        except Exception as error:  # the caller gets an answer either way
            self.get_logger().error(f"question not answered: {error}")
            answer = Answer("The coach cannot answer right now; try again shortly.", [], [],
                            "error", str(error))
        self._note(answer)
        self._answered += 1
        response.answer, response.sources = answer.text, answer.sources
        response.latency_ms, response.generator = float(answer.latency_ms), answer.generator
        return response

    def _note(self, answer: Answer) -> None:
        self._latencies.append(answer.latency_ms)
        if answer.fallback_reason and answer.fallback_reason != self._last_fallback:
            self.get_logger().info(f"answered by the {answer.generator}: "
                                   f"{answer.fallback_reason}")
        self._last_fallback = answer.fallback_reason or self._last_fallback

    def _publish_diagnostics(self) -> None:
        latencies = np.array(self._latencies) if self._latencies else np.zeros(1)
        values = {
            "index": self._coach.coach.index_description,
            "generator": self._coach.coach.chain.generator,
            "feedback_published": str(self._published),
            "questions_answered": str(self._answered),
            "latency_p50_ms": f"{np.percentile(latencies, 50):.1f}",
            "latency_p95_ms": f"{np.percentile(latencies, 95):.1f}",
            "last_fallback": self._last_fallback or "none",
        }
        self._diagnostics_pub.publish(diagnostics(self, "feedback", DiagnosticStatus.OK,
                                                  "ready", values))

    def destroy_node(self) -> None:
        self._coach.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run feedback_node until shutdown; 1 when it cannot start."""
    return run_node(FeedbackNode, "feedback_node", args)
