"""The ROS side of the trainer view: subscriptions that fill the TrainerModel, the latest
overlay image per camera, and the AskCoach / SetReference calls, none of which ever blocks the
caller (the widget polls them from its timer). Works on any node: rqt's own, or the standalone
app's; callbacks may run on another thread, so everything shared sits behind one lock.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from rclpy.node import Node
from sensor_msgs.msg import Image

from squat_common.qos import REFERENCE_QOS, REP_QOS, SENSOR_QOS
from squat_msgs.msg import Feedback, ReferenceSummary, RepSummary, SquatState
from squat_msgs.srv import AskCoach, SetReference
from squat_rqt.trainer_messages import feedback_entry, image_array, rep_row, state_values
from squat_rqt.trainer_model import FeedbackEntry, TrainerModel

VIEWS = ("front", "side")
# How long a call may wait for its service to appear and answer (an LLM takes seconds).
CALL_TIMEOUT_S = 20.0


@dataclass
class PendingCall:
    """A service call on its way: waiting for the service, then for the answer."""

    service: str
    request: object
    started: float
    future: object | None = None
    outcome: str | None = None  # the line to show once it is over
    succeeded: bool = False


def topic(namespace: str, name: str) -> str:
    """`name` (relative) under the squat coach graph's namespace ('' for the node's own)."""
    return f"{namespace.rstrip('/')}/{name}" if namespace else name


class TrainerData:
    """Subscribes to a squat coach graph under `namespace` and keeps what the view shows."""

    def __init__(self, node: Node, model: TrainerModel, namespace: str = "") -> None:
        self.node = node
        self.model = model
        self.lock = threading.Lock()
        self.images: dict[str, np.ndarray | None] = {view: None for view in VIEWS}
        self.image_count = 0
        self.call_timeout_s = CALL_TIMEOUT_S
        self._entities: list = []
        self._clients: dict[str, object] = {}
        self.namespace = ""
        self.connect(namespace)

    def connect(self, namespace: str) -> None:
        """(Re)subscribe under `namespace`."""
        for entity in self._entities:
            self.node.destroy_subscription(entity)
        for client in self._clients.values():
            self.node.destroy_client(client)
        self.namespace = namespace
        create = self.node.create_subscription
        self._entities = [
            create(SquatState, topic(namespace, "squat/state"), self._on_state, 10),
            create(RepSummary, topic(namespace, "squat/rep"), self._on_rep, REP_QOS),
            create(Feedback, topic(namespace, "squat/feedback"), self._on_feedback, 10),
            create(ReferenceSummary, topic(namespace, "squat/reference"), self._on_reference,
                   REFERENCE_QOS),
            *(create(Image, topic(namespace, f"squat/overlay/{view}"),
                     lambda message, view=view: self._on_image(view, message), SENSOR_QOS)
              for view in VIEWS)]
        self._clients = {
            "ask": self.node.create_client(AskCoach, topic(namespace, "squat/ask_coach")),
            "reference": self.node.create_client(SetReference,
                                                 topic(namespace, "squat/set_reference"))}

    def _on_state(self, state: SquatState) -> None:
        with self.lock:
            self.model.add_state(*state_values(state))

    def _on_rep(self, summary: RepSummary) -> None:
        with self.lock:
            self.model.add_rep(rep_row(summary))

    def _on_feedback(self, feedback: Feedback) -> None:
        with self.lock:
            self.model.add_feedback(feedback_entry(feedback))

    def _on_reference(self, summary: ReferenceSummary) -> None:
        with self.lock:
            self.model.reference_name = summary.name

    def _on_image(self, view: str, image: Image) -> None:
        pixels = image_array(image)
        with self.lock:
            self.images[view] = pixels
            self.image_count += 1

    def ask(self, question: str) -> PendingCall:
        """Ask the coach (with the latest rep); poll() the call until it has an outcome."""
        return PendingCall("ask", AskCoach.Request(question=question, include_latest_rep=True),
                           time.monotonic())

    def set_reference(self, path: str) -> PendingCall:
        """Switch pose_node's reference; poll() the call until it has an outcome."""
        return PendingCall("reference", SetReference.Request(path=path), time.monotonic())

    def poll(self, call: PendingCall) -> bool:
        """Move `call` on without waiting; True once it has its outcome (or has waited
        `call_timeout_s` in vain)."""
        if call.outcome is not None:
            return True
        client = self._clients[call.service]
        name = self.node.resolve_service_name(client.srv_name)
        if call.future is None and client.service_is_ready():
            call.future = client.call_async(call.request)
        if call.future is not None and call.future.done():
            self._finish(call)
        elif time.monotonic() - call.started > self.call_timeout_s:
            call.outcome = (f"no answer from {name} within {self.call_timeout_s:g} s"
                            if call.future is not None else
                            f"nobody serves {name} (is the session running?)")
        return call.outcome is not None

    def _finish(self, call: PendingCall) -> None:
        error = call.future.exception()
        if error is not None:
            call.outcome = f"the call failed: {error}"
            return
        response = call.future.result()
        if call.service == "ask":
            call.succeeded = True
            call.outcome = response.answer
            with self.lock:
                self.model.add_feedback(FeedbackEntry(0, response.answer,
                                                      tuple(response.sources)))
        else:
            call.succeeded = response.success
            call.outcome = response.message

    def close(self) -> None:
        for entity in self._entities:
            self.node.destroy_subscription(entity)
        for client in self._clients.values():
            self.node.destroy_client(client)
        self._entities, self._clients = [], {}
