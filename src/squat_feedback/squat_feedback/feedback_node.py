"""feedback_node: coaching on every finished rep, and answers to trainers' questions.

Subscribes squat/rep (RepSummary). As each rep ends it publishes a short cue on squat/cue (Cue;
squat_feedback.cue_policy: at most one a rep, sparingly), then the full text on squat/feedback
(Feedback) for every rep or those under score_threshold. Serves squat/ask_coach (AskCoach) and
squat/search_knowledge (SearchKnowledge, retrieval only); /diagnostics at 1 Hz. Retrieval and
generation are squat_feedback.coach_chain, the same as `coach ask`.

Nothing slow runs on the executor thread: the index is built on a worker after the node is up,
reps are coached on a worker fed by a bounded queue, and questions are answered on a worker of
their own (the service callback awaits them), so the service, diagnostics and new reps stay
responsive while an LLM takes seconds.
"""

from __future__ import annotations

import os
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from rclpy.task import Future

from squat_common.diagnostics import DIAGNOSTICS_TOPIC, diagnostics
from squat_common.node_runner import join_within, run_node
from squat_common.parameters import NodeParameters
from squat_common.qos import REP_QOS
from squat_common.settings import group, setting
from squat_common.stamps import stamp_s
from squat_feedback.coach_chain import Answer
from squat_feedback.coach_factory import ResilientCoach
from squat_feedback.cue_policy import CuePolicy, CueSettings
from squat_feedback.embeddings import prepare_korean
from squat_feedback.feedback_settings import FeedbackSettings, min_relevance
from squat_feedback.knowledge_index import SyncStopped
from squat_feedback.language import LANGUAGES, detect_language
from squat_feedback.rep_context import RepContext
from squat_feedback.rep_messages import FEEDBACK_ON, rep_context, wants_feedback
from squat_msgs.msg import Cue, Feedback, KnowledgeHit, RepSummary
from squat_msgs.srv import AskCoach, SearchKnowledge

INDEX_BUILDING = "The coach is still preparing its knowledge index; ask again in a moment."
# The index is built (half a minute of the ONNX embedding model on a first start) while the
# cameras and pose_node run: at full priority on 2 cores it starved them, and the virtual
# athlete's cameras rendered a third of their frames (a whole rep went by unseen). Linux gives
# each thread its own nice value, inherited by the threads it starts (ONNX runtime's pool is
# made in the index thread); the reps waiting meanwhile are coached once it is ready.
INDEX_NICE = 10


@dataclass(frozen=True)
class FeedbackNodeSettings:
    """feedback_node's parameters: the coach (fixed at start) and when it speaks (live)."""

    coach: FeedbackSettings = group(FeedbackSettings, prefix="")
    cues: CueSettings = group(CueSettings, prefix="")
    feedback_on: str = setting("all", "Which reps get feedback.", choices=FEEDBACK_ON)
    score_threshold: float = setting(
        70.0, "With feedback_on below_threshold: reps scoring under this get feedback.",
        unit="points", low=0.0, high=100.0)
    index_wait_s: float = setting(
        10.0, "How long a question waits for the index still being built before the answer "
        "says so.", unit="s", low=0.0, high=600.0)
    rep_queue_size: int = setting(
        20, "Reps waiting for feedback; beyond this the oldest waiting rep is skipped.",
        low=1, high=1000, read_only=True)


class _Worker:
    """One thread running jobs in order from a bounded queue (the oldest job is dropped when
    it is full)."""

    def __init__(self, name: str, size: int) -> None:
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(size)
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        while True:
            try:
                self._jobs.put_nowait(job)
                return
            except queue.Full:
                try:
                    self._jobs.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()

    def stop(self) -> threading.Thread:
        """Drop the jobs still waiting (a node going away publishes nothing) and end after the
        running one; the thread, for the node to wait on (an LLM's answer may take longer than
        a stop can wait)."""
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                break
        self.submit(None)  # type: ignore[arg-type]
        return self._thread


class FeedbackNode(Node):
    """Thin node: parameters in; Feedback and AskCoach answers out."""

    def __init__(self) -> None:
        super().__init__("feedback_node")
        # Before any callback or thread exists: while Kiwi prepares (seconds, holding the GIL)
        # nothing could run anyway, and a stop meanwhile waits for it.
        prepare_korean()
        self._settings = NodeParameters(self, FeedbackNodeSettings(), on_change=self._apply)
        settings = self._settings.value
        self._coach: ResilientCoach | None = None
        self._index_error = ""
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._latest_rep: RepContext | None = None
        self._latencies: deque[float] = deque(maxlen=200)
        self._published = 0
        self._answered = 0
        self._last_fallback = ""
        self._feedback_pub = self.create_publisher(Feedback, "squat/feedback", 10)
        self._cue_pub = self.create_publisher(Cue, "squat/cue", 10)
        self._cues = CuePolicy(settings.cues)
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, DIAGNOSTICS_TOPIC, 10)
        self._reps = _Worker("feedback", settings.rep_queue_size)
        self._questions = _Worker("questions", 10)
        self._indexer = threading.Thread(target=self._build_index, name="index", daemon=True)
        self._indexer.start()
        # pose_node keeps its recent reps for late joiners: a rep that ended while the index was
        # still being built is coached as soon as it is ready.
        self.create_subscription(RepSummary, "squat/rep", self._on_rep, REP_QOS)
        self.create_service(AskCoach, "squat/ask_coach", self._on_ask)
        self.create_service(SearchKnowledge, "squat/search_knowledge", self._on_search)
        self.create_timer(1.0, self._publish_diagnostics)

    def _apply(self, settings: FeedbackNodeSettings, _changed: set[str]) -> None:
        # feedback_on and score_threshold are read per rep; the chain takes the rest.
        self._cues.settings = settings.cues
        if self._coach is not None:
            chain = self._coach.coach.chain
            chain.top_k = settings.coach.top_k
            chain.max_question_chars = settings.coach.max_question_chars
            chain.min_relevance = min_relevance(settings.coach)

    def _build_index(self) -> None:
        logger = self.get_logger()
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), INDEX_NICE)
        except (AttributeError, OSError) as error:  # not Linux: it builds at normal priority
            logger.debug(f"the index builds at normal priority: {error}")
        try:
            coach = ResilientCoach(self._settings.value.coach, warn=logger.warning,
                                   stopping=self._stopping.is_set)
        except SyncStopped:
            return
        except Exception as error:  # the node stays up and says why it cannot coach
            self._index_error = str(error)
            logger.error(f"the knowledge index cannot be built: {error}; reps get no "
                         "feedback and questions are answered with this reason")
            self._ready.set()
            return
        if self._stopping.is_set():
            coach.close()
            return
        sync = coach.coach.sync
        logger.info(f"knowledge index: {coach.coach.index_description} ({sync.added} added, "
                    f"{sync.updated} updated, {sync.removed} removed, {sync.unchanged} "
                    f"unchanged in {sync.seconds:.1f} s); generator "
                    f"{coach.coach.chain.generator}")
        self._coach = coach
        self._apply(self._settings.value, set())  # anything set while it was building
        self._ready.set()

    def _on_rep(self, summary: RepSummary) -> None:
        rep = rep_context(summary)
        self._latest_rep = rep
        # The cue needs no index: it goes out at once, the full text follows.
        if (cue := self._cues.cue(rep, stamp_s(summary))) is not None:
            message = Cue(header=summary.header, rep_index=cue.rep_index, text=cue.text,
                          fault_code=cue.fault_code, language=self._cues.settings.language)
            self._cue_pub.publish(message)
        settings = self._settings.value
        if wants_feedback(summary, settings.feedback_on, settings.score_threshold):
            self._reps.submit(lambda: self._coach_rep(rep, summary.header.frame_id))

    def _coach_rep(self, rep: RepContext, frame_id: str) -> None:
        self._ready.wait()
        if self._coach is None or self._stopping.is_set():
            return
        try:
            language = self._cues.settings.language
            answer = self._coach.run(lambda chain: chain.feedback(rep, language))
        except Exception as error:  # a broken index or model must not stop the node
            self.get_logger().error(f"no feedback for rep {rep.rep_index}: {error}")
            return
        self._note(answer)
        message = Feedback(rep_index=rep.rep_index, text=answer.text,
                           source_ids=answer.sources, fault_codes=answer.fault_codes,
                           generator=answer.generator, language=language)
        message.header.stamp = self.get_clock().now().to_msg()
        message.header.frame_id = frame_id
        self._feedback_pub.publish(message)
        self._published += 1

    async def _on_ask(self, request: AskCoach.Request, response: AskCoach.Response
                      ) -> AskCoach.Response:
        done: Future = Future()
        rep = self._latest_rep if request.include_latest_rep else None
        language = request.language or detect_language(request.question)
        if language not in LANGUAGES:
            response.answer, response.generator = (
                f"language {request.language!r} is not one of {', '.join(LANGUAGES)}", "error")
            return response
        self._questions.submit(lambda: self._answer(request.question, rep, language, done))
        answer: Answer = await done
        self._answered += 1
        response.answer, response.sources = answer.text, answer.sources
        response.latency_ms, response.generator = float(answer.latency_ms), answer.generator
        response.language = language
        return response

    def _unready_reason(self) -> str:
        """Why no question can be answered now (after waiting for the index), or ''."""
        if not self._ready.wait(self._settings.value.index_wait_s):
            return INDEX_BUILDING
        if self._stopping.is_set():
            return "The coach is stopping."
        if self._coach is None:
            return f"The coach cannot answer: {self._index_error}"
        return ""

    def _answer(self, question: str, rep: RepContext | None, language: str,
                done: Future) -> None:
        if reason := self._unready_reason():
            answer = Answer(reason, [], [], "error", reason)
        else:
            try:
                answer = self._coach.run(lambda chain: chain.ask(question, rep, language))
            except Exception as error:  # the caller gets an answer either way
                self.get_logger().error(f"question not answered: {error}")
                answer = Answer("The coach cannot answer right now; try again shortly.", [],
                                [], "error", str(error))
            self._note(answer)
        self._finish(done, answer)

    async def _on_search(self, request: SearchKnowledge.Request,
                         response: SearchKnowledge.Response) -> SearchKnowledge.Response:
        done: Future = Future()
        self._questions.submit(lambda: self._search(request.query, request.k, done))
        hits, response.index, response.error = await done
        response.hits = [KnowledgeHit(id=hit.id, title=hit.title, score=hit.score,
                                      faults=hit.faults, topics=hit.topics) for hit in hits]
        return response

    def _search(self, query: str, k: int, done: Future) -> None:
        if reason := self._unready_reason():
            self._finish(done, ([], "", reason))
            return
        k = k or self._settings.value.coach.top_k
        try:
            hits = self._coach.run(lambda chain: chain.index.search(query, k))
            result = (hits, self._coach.coach.index_description, "")
        except Exception as error:  # the caller gets a reason either way
            self.get_logger().error(f"search failed: {error}")
            result = ([], self._coach.coach.index_description, f"the search failed: {error}")
        self._finish(done, result)

    def _finish(self, done: Future, result: object) -> None:
        done.set_result(result)
        # The service callback awaits `done` on the executor thread: wake it now rather than
        # at its next timer.
        executor = self.executor
        if executor is not None:
            executor.wake()

    def _note(self, answer: Answer) -> None:
        self._latencies.append(answer.latency_ms)
        if answer.fallback_reason and answer.fallback_reason != self._last_fallback:
            self.get_logger().info(f"answered by the {answer.generator}: "
                                   f"{answer.fallback_reason}")
        self._last_fallback = answer.fallback_reason or self._last_fallback

    def _publish_diagnostics(self) -> None:
        latencies = np.array(self._latencies) if self._latencies else np.zeros(1)
        coach = self._coach.coach if self._coach is not None else None
        index_fallback = self._coach.fallback_reason if self._coach is not None else ""
        if coach is not None and index_fallback:
            level, message = DiagnosticStatus.WARN, "ready, on the embedded index"
        elif coach is not None:
            level, message = DiagnosticStatus.OK, "ready"
        elif self._ready.is_set():
            level, message = DiagnosticStatus.ERROR, f"no index: {self._index_error}"
        else:
            level, message = DiagnosticStatus.WARN, "building the knowledge index"
        values = {
            "index": coach.index_description if coach else "none yet",
            "index_fallback": index_fallback or "none",
            "generator": coach.chain.generator if coach else "none yet",
            "feedback_published": str(self._published),
            "reps_skipped_queue_full": str(self._reps.dropped),
            "questions_answered": str(self._answered),
            "latency_p50_ms": f"{np.percentile(latencies, 50):.1f}",
            "latency_p95_ms": f"{np.percentile(latencies, 95):.1f}",
            "last_fallback": self._last_fallback or "none",
        }
        self._diagnostics_pub.publish(diagnostics(self, "feedback", level, message, values))

    def destroy_node(self) -> None:
        # What waits for the index (it may take half a minute more to build) is woken and
        # gives up: a launcher kills a node that does not stop within seconds.
        self._stopping.set()
        self._ready.set()
        join_within([self._reps.stop(), self._questions.stop(), self._indexer])
        if self._coach is not None:
            self._coach.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run feedback_node until shutdown; 1 when its parameters are refused."""
    return run_node(FeedbackNode, "feedback_node", args)
