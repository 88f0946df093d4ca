"""Questions to the feedback_node of a running session (squat/ask_coach), for `coach ask`.

While a session runs, its feedback_node holds the embedded index: `coach ask` asks that node
instead of opening the index itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.signals import SignalHandlerOptions

from squat_msgs.srv import AskCoach

SERVICE = "squat/ask_coach"
# Long enough for DDS discovery to find a node that is up.
DISCOVERY_S = 2.0


@dataclass(frozen=True)
class RunningAnswer:
    """The running coach's answer."""

    text: str
    sources: list[str]
    generator: str


class NoAnswer(RuntimeError):
    """The running coach took the question but gave no answer in time."""


def ask_running_coach(question: str, include_latest_rep: bool = True,
                      answer_timeout_s: float = 120.0, discovery_s: float = DISCOVERY_S
                      ) -> RunningAnswer | None:
    """The answer of the feedback_node serving squat/ask_coach, or None when none is up."""
    context = rclpy.Context()
    # args=[]: the command line is the CLI's (a question, maybe not UTF-8), not ROS arguments.
    rclpy.init(args=[], context=context, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = rclpy.create_node("coach_ask", context=context)
        client = node.create_client(AskCoach, SERVICE)
        if not client.wait_for_service(timeout_sec=discovery_s):
            return None
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        future = client.call_async(AskCoach.Request(question=question,
                                                    include_latest_rep=include_latest_rep))
        executor.spin_until_future_complete(future, timeout_sec=answer_timeout_s)
        if not future.done() or future.result() is None:
            raise NoAnswer(f"the running feedback_node did not answer within "
                           f"{answer_timeout_s:g} s")
        reply = future.result()
        return RunningAnswer(reply.answer, list(reply.sources), reply.generator)
    finally:
        rclpy.try_shutdown(context=context)
