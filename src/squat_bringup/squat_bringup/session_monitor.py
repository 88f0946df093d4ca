"""The node `coach run` listens with: reps, feedback, the athlete in view, cameras and index.

A thin shell: messages become session_summary's plain data and text lines go to `out`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.node import Node
from rclpy.qos import QoSProfile

from squat_bringup.session_summary import (
    FeedbackLine,
    RepLine,
    SessionSummary,
    WaitStatus,
    feedback_text,
    not_judged_text,
    rep_text,
)
from squat_common.diagnostics import DIAGNOSTICS_TOPIC, VIEWS_STATUS
from squat_common.names import SEVERITY_NAMES
from squat_common.qos import REP_QOS
from squat_msgs.msg import Cue, Feedback, RepSummary, SquatState

CAMERA_STATUS = ": camera "
FEEDBACK_STATUS = ": feedback"
FINISHED = "finished"


class SessionMonitor(Node):
    """Prints each rep and its feedback as they come, and the status until the first rep."""

    def __init__(self, out: Callable[[str], None], quiet: bool = False,
                 max_reps: int | None = None, **node_options: Any) -> None:
        super().__init__("coach_run_monitor", **node_options)
        self._out, self._quiet = out, quiet
        self.summary = SessionSummary(max_reps)
        self.status = WaitStatus()
        self._status_shown = ""
        self.last_news = time.monotonic()
        # pose_node's latest views status: its key-values, whether it was good, and since
        # when (monotonic) such statuses come.
        self.views: dict[str, str] = {}
        self.views_good = False
        self.views_since: float | None = None
        self.create_subscription(RepSummary, "squat/rep", self._on_rep, REP_QOS)
        self.create_subscription(Feedback, "squat/feedback", self._on_feedback, 50)
        self.create_subscription(Cue, "squat/cue", self._on_cue, 50)
        self.create_subscription(SquatState, "squat/state", self._on_state, 10)
        self.create_subscription(DiagnosticArray, DIAGNOSTICS_TOPIC, self._on_diagnostics,
                                 QoSProfile(depth=50))

    @property
    def cameras_finished(self) -> bool:
        """Every camera has said it has no more frames (a file, folder or the athlete)."""
        states = self.status.cameras.values()
        return bool(states) and all(state == FINISHED for state in states)

    def _on_rep(self, message: RepSummary) -> None:
        rep = RepLine(
            index=int(message.rep_index), min_knee_angle_deg=float(message.min_knee_angle_deg),
            descent_s=float(message.descent_s), ascent_s=float(message.ascent_s),
            score=float(message.score),
            faults=tuple((f.code, SEVERITY_NAMES.get(f.severity, str(f.severity)))
                         for f in message.faults),
            not_judged=tuple((item.code, item.reason) for item in message.not_judged))
        if self.summary.add_rep(rep):
            self.last_news = time.monotonic()
            if not self._quiet:
                for line in [rep_text(rep), *not_judged_text(rep)]:
                    self._out(line)

    def _on_cue(self, message: Cue) -> None:
        if not self._quiet:
            self._out(f"  cue: {message.text}")

    def _on_feedback(self, message: Feedback) -> None:
        feedback = FeedbackLine(int(message.rep_index), message.text,
                                tuple(message.source_ids))
        if self.summary.add_feedback(feedback):
            self.last_news = time.monotonic()
            if not self._quiet:
                for line in feedback_text(feedback):
                    self._out(line)

    def _on_state(self, message: SquatState) -> None:
        for view, keypoints in (("front", message.front), ("side", message.side)):
            if keypoints.detected and not self.status.seen.get(view):
                self.status.seen[view] = True
                self._show_status()

    def _on_diagnostics(self, array: DiagnosticArray) -> None:
        for status in array.status:
            if CAMERA_STATUS in status.name:
                name = status.name.split(CAMERA_STATUS, 1)[1]
                state = FINISHED if status.message.startswith(FINISHED) else (
                    "up" if status.level == status.OK else status.message)
                self.status.cameras[name] = state
            elif status.name.endswith(FEEDBACK_STATUS):
                self.status.index = ("building" if status.level == status.WARN
                                     else status.message)
            elif status.name.endswith(f": {VIEWS_STATUS}"):
                self.status.views = "" if status.level == status.OK else status.message
                self.views = {value.key: value.value for value in status.values}
                self.views_good = status.level == status.OK
                if self.views_since is None:
                    self.views_since = time.monotonic()
        self._show_status()

    def _show_status(self) -> None:
        line = self.status.line()
        if not self._quiet and not self.summary.reps and line != self._status_shown:
            self._status_shown = line
            self._out(f"[coach] {line}")
