"""The trainer view (squat_rqt) driven by real rclpy messages from another node, offscreen:
what it shows, asking the real feedback_node, a missing service, settings and namespaces."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from rclpy.executors import SingleThreadedExecutor
from sensor_msgs.msg import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from python_qt_binding.QtWidgets import QApplication
from squat_rqt.trainer_data import TrainerData
from squat_rqt.trainer_model import TrainerModel, TrainerSettings
from squat_rqt.trainer_widget import TrainerWidget

from helpers.ros2_run import ros2_run
from helpers.sample_messages import rep_summary, squat_state
from squat_common.qos import REP_QOS, SENSOR_QOS
from squat_msgs.msg import Feedback, RepSummary, SquatState

FRONT_BGR, SIDE_BGR = (30, 30, 220), (220, 60, 30)  # red and blue, as bgr8


class StandInInstanceSettings:
    """A stand-in for rqt's instance settings (qt_gui.settings.Settings), which needs rqt:
    the same set_value / value calls, kept in a dict and handed back as strings as QSettings
    does."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def set_value(self, key: str, value: object) -> None:
        self.values[key] = str(value).lower() if isinstance(value, bool) else str(value)

    def value(self, key: str, default: object = None) -> object:
        return self.values.get(key, default)


@pytest.fixture
def view(listen) -> Iterator[Callable[..., TrainerWidget]]:
    """make(namespace) -> a trainer widget on its own node, spun on a thread."""
    app = QApplication.instance() or QApplication([])
    made = []

    def make(namespace: str = "") -> TrainerWidget:
        listener = listen([])  # a context and node of its own, as the app has
        executor = SingleThreadedExecutor(context=listener.context)
        executor.add_node(listener.node)
        threading.Thread(target=executor.spin, daemon=True).start()
        widget = TrainerWidget(TrainerData(listener.node, TrainerModel(
            TrainerSettings(namespace=namespace)), namespace))
        widget.resize(1280, 900)
        widget.show()
        made.append((widget, executor))
        return widget

    yield make
    for widget, executor in made:
        widget.shutdown()
        executor.shutdown()
    app.processEvents()


def pump(seconds: float, until: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if until():
            return True
        time.sleep(0.01)
    return False


def overlay(colour: tuple[int, int, int]) -> Image:
    pixels = np.zeros((480, 640, 3), np.uint8)
    pixels[:] = colour
    image = Image(height=480, width=640, encoding="bgr8", step=640 * 3)
    image.data = pixels.tobytes()
    return image


def publishers(node, namespace: str = "") -> dict[str, object]:
    prefix = f"/{namespace}" if namespace else ""
    return {
        "state": node.create_publisher(SquatState, f"{prefix}/squat/state", 10),
        "rep": node.create_publisher(RepSummary, f"{prefix}/squat/rep", REP_QOS),
        "feedback": node.create_publisher(Feedback, f"{prefix}/squat/feedback", 10),
        "front": node.create_publisher(Image, f"{prefix}/squat/overlay/front", SENSOR_QOS),
        "side": node.create_publisher(Image, f"{prefix}/squat/overlay/side", SENSOR_QOS),
    }


def publish_session(pubs: dict[str, object]) -> None:
    for index in (1, 2, 3):
        rep = rep_summary()
        rep.rep_index = index
        rep.score = 60.0 + 10 * index
        if index != 2:
            rep.faults = []
        pubs["rep"].publish(rep)
        pubs["feedback"].publish(Feedback(rep_index=index, text=f"Rep {index}: chest up.",
                                          source_ids=["forward_lean"]))
    for i in range(5):
        state = squat_state()
        state.header.stamp.nanosec = i * 10_000_000
        pubs["state"].publish(state)
    pubs["front"].publish(overlay(FRONT_BGR))
    pubs["side"].publish(overlay(SIDE_BGR))


def test_the_view_shows_reps_feedback_plot_and_both_images(view, listen):
    widget = view()
    sender = listen([])
    pubs = publishers(sender.node)

    def shown() -> bool:
        publish_session(pubs)
        pump(0.2, lambda: False)
        return (widget.repTable.rowCount() == 3 and widget.data.image_count >= 2
                and widget.repsLabel.text() == "REPS 3")

    assert pump(30, shown), (widget.repTable.rowCount(), widget.repsLabel.text())
    assert widget.phaseLabel.text() == "BOTTOM" and widget.scoreLabel.text() == "score 88"
    assert [widget.repTable.item(r, 0).text() for r in range(3)] == ["3", "2", "1"]
    assert widget.repTable.item(1, 7).text() == "knee valgus (medium), insufficient depth (low)"
    assert widget.lastRepLabel.text() == "last rep 90"
    log = widget.feedbackLog.toPlainText()
    assert "Rep 1: Rep 1: chest up." in log and "sources: forward_lean" in log
    # The reference's angle arrived with the state (the plot draws it against the athlete's).
    _, athlete, reference = widget.model.curve("knee_flexion")
    assert athlete[-1] == 96.25 and reference[-1] == 51.0
    shot = widget.grab().toImage()
    pixels = np.frombuffer(shot.bits().asstring(shot.byteCount()), np.uint8).reshape(
        shot.height(), shot.bytesPerLine() // 4, 4)[..., :3]  # BGRA in memory
    red = (pixels[..., 2] > 180) & (pixels[..., 0] < 60)
    blue = (pixels[..., 0] > 180) & (pixels[..., 2] < 60)
    left, right = pixels.shape[1] // 2, pixels.shape[1] // 2
    assert red[:, :left].sum() > 10_000 and blue[:, right:].sum() > 10_000, (red.sum(),
                                                                           blue.sum())


def test_asking_the_real_feedback_node_while_states_keep_coming(view, listen, spawn, tmp_path):
    spawn(ros2_run("squat_feedback", "feedback_node", "-p",
                   f"qdrant_path:={tmp_path / 'qdrant'}"))
    widget = view()
    assert pump(90, lambda: widget.data._clients["ask"].service_is_ready())
    sender = listen([])
    states = sender.node.create_publisher(SquatState, "/squat/state", 10)
    widget.ask("How deep should I squat?")
    assert widget.askStatus.text() == "asking: How deep should I squat?"
    # The view keeps showing states while the coach thinks: ask() does not wait.
    moving = squat_state()
    moving.rep_count = 7
    assert pump(30, lambda: states.publish(moving) or widget.repsLabel.text() == "REPS 7")
    assert pump(60, lambda: widget.askStatus.text() == "answered"), widget.askStatus.text()
    assert "Answer:" in widget.feedbackLog.toPlainText()


def test_a_missing_coach_is_said_within_the_timeout(view):
    widget = view()
    widget.data.call_timeout_s = 2.0
    widget.ask("anyone there?")
    assert pump(10, lambda: widget.askStatus.text().startswith("not done")), \
        widget.askStatus.text()
    assert "nobody serves /squat/ask_coach (is the session running?)" in \
        widget.askStatus.text()


def test_settings_round_trip_and_a_namespaced_graph(view, listen):
    first = view()
    first.hipToggle.setChecked(True)
    first.model.settings.namespace = "gym/rack2"
    first.model.settings.plot_window_s = 30.0
    saved = StandInInstanceSettings()
    first.save_settings(saved)
    second = view()
    second.restore_settings(saved)
    assert second.model.settings == TrainerSettings("gym/rack2", 30.0, True, False)
    assert second.hipToggle.isChecked() and not second.trunkToggle.isChecked()
    assert second.model.visible_channels() == ("knee_flexion", "hip_flexion")
    # It now listens to the graph under that namespace.
    pubs = publishers(listen([]).node, "gym/rack2")
    state = squat_state()
    state.rep_count = 5

    def seen() -> bool:
        pubs["state"].publish(state)
        return second.repsLabel.text() == "REPS 5"

    assert pump(30, seen)
    assert first.repsLabel.text() == "REPS 0"
