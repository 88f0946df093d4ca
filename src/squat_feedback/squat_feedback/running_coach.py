"""Calls to the feedback_node of a running session, for `coach ask` and `coach kb search`.

While a session runs, its feedback_node holds the embedded index: the commands ask that node
(squat/ask_coach, squat/search_knowledge) instead of opening the index themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.signals import SignalHandlerOptions

from squat_msgs.srv import AskCoach, SearchKnowledge

ASK_SERVICE = "squat/ask_coach"
SEARCH_SERVICE = "squat/search_knowledge"
# Long enough for DDS discovery to find a node that is up.
DISCOVERY_S = 2.0


@dataclass(frozen=True)
class RunningAnswer:
    """The running coach's answer."""

    text: str
    sources: list[str]
    generator: str


@dataclass(frozen=True)
class RunningSearch:
    """The running coach's search: hits as `SearchHit.as_json` gives them, best first."""

    hits: list[dict]
    index: str


class NoAnswer(RuntimeError):
    """The running coach took the request but gave no answer in time, or said why it could
    not."""


def _call(service_type: Any, service: str, request: Any, answer_timeout_s: float,
          discovery_s: float) -> Any | None:
    """The reply of the node serving `service`, or None when none is up."""
    context = rclpy.Context()
    # args=[]: the command line is the CLI's (a question, maybe not UTF-8), not ROS arguments.
    rclpy.init(args=[], context=context, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = rclpy.create_node("coach_cli", context=context)
        client = node.create_client(service_type, service)
        if not client.wait_for_service(timeout_sec=discovery_s):
            return None
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        future = client.call_async(request)
        executor.spin_until_future_complete(future, timeout_sec=answer_timeout_s)
        if not future.done() or future.result() is None:
            raise NoAnswer(f"the running feedback_node did not answer within "
                           f"{answer_timeout_s:g} s")
        return future.result()
    finally:
        rclpy.try_shutdown(context=context)


def ask_running_coach(question: str, include_latest_rep: bool = True, language: str = "",
                      answer_timeout_s: float = 120.0, discovery_s: float = DISCOVERY_S
                      ) -> RunningAnswer | None:
    """The answer of the feedback_node serving squat/ask_coach, or None when none is up
    (`language` empty: the question's own)."""
    reply = _call(AskCoach, ASK_SERVICE, AskCoach.Request(
        question=question, include_latest_rep=include_latest_rep, language=language),
        answer_timeout_s, discovery_s)
    return None if reply is None else RunningAnswer(reply.answer, list(reply.sources),
                                                    reply.generator)


def search_running_coach(query: str, k: int, answer_timeout_s: float = 60.0,
                         discovery_s: float = DISCOVERY_S) -> RunningSearch | None:
    """The documents the feedback_node serving squat/search_knowledge finds for `query`, or
    None when none is up."""
    reply = _call(SearchKnowledge, SEARCH_SERVICE, SearchKnowledge.Request(query=query, k=k),
                  answer_timeout_s, discovery_s)
    if reply is None:
        return None
    if reply.error:
        raise NoAnswer(f"the running feedback_node could not search: {reply.error}")
    return RunningSearch([{"id": hit.id, "title": hit.title, "score": round(hit.score, 4),
                           "faults": list(hit.faults), "topics": list(hit.topics)}
                          for hit in reply.hits], reply.index)
