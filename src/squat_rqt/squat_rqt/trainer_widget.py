"""The trainer view: a plain Qt widget (python_qt_binding) laid out by resource/trainer.ui,
refreshed from a TrainerData on a timer, so it runs inside rqt and on its own alike.

For a trainer next to the rack: the two overlay images side by side, the rep count, phase and
frame score large, a colour band with the last rep's score, the knee angle (hip and trunk on a
toggle) against the reference, the finished reps newest first (CSV export), the coach's
feedback with its sources, an "ask the coach" box and a reference picker. Nothing here waits
on ROS: calls are polled by the timer.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
from python_qt_binding import loadUi
from python_qt_binding.QtCore import Qt, QTimer
from python_qt_binding.QtGui import QFont, QImage, QPixmap
from python_qt_binding.QtWidgets import (
    QFileDialog,
    QHeaderView,
    QLabel,
    QTableWidgetItem,
    QWidget,
)

from squat_rqt.angle_plot import AnglePlot
from squat_rqt.trainer_data import PendingCall, TrainerData
from squat_rqt.trainer_model import TrainerModel, TrainerSettings, score_colour

REFRESH_MS = 50
TABLE_COLUMNS = ("rep", "down (s)", "up (s)", "knee angle (deg)", "valgus (deg)",
                 "trunk lean (deg)", "score", "faults")


def ui_file() -> Path:
    """resource/trainer.ui, installed or in the source tree."""
    try:
        from ament_index_python.packages import get_package_share_directory

        installed = Path(get_package_share_directory("squat_rqt")) / "resource" / "trainer.ui"
        if installed.is_file():
            return installed
    except (ImportError, LookupError, OSError):
        pass
    return Path(__file__).resolve().parents[1] / "resource" / "trainer.ui"


def _number(value: float, form: str) -> str:
    if not math.isfinite(value):
        return "-"
    text = f"{value:{form}}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0"


class TrainerWidget(QWidget):
    """The view of one squat coach graph, fed by `data`."""

    def __init__(self, data: TrainerData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        loadUi(str(ui_file()), self)
        self.setObjectName("TrainerWidget")
        self.data = data
        self.model: TrainerModel = data.model
        big = QFont()
        big.setPointSize(22)
        big.setBold(True)
        for label in (self.repsLabel, self.phaseLabel, self.scoreLabel):
            label.setFont(big)
        self.lastRepLabel.setFont(big)
        self.lastRepLabel.setAlignment(Qt.AlignCenter)
        self.plot = AnglePlot(self)
        self.plotLayout.addWidget(self.plot)
        self.repTable.setColumnCount(len(TABLE_COLUMNS))
        self.repTable.setHorizontalHeaderLabels(list(TABLE_COLUMNS))
        self.repTable.horizontalHeader().setStretchLastSection(True)
        self.repTable.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        # The images first: they are what a trainer glances at.
        for pane, stretch in ((self.imagesPane, 5), (self.plotPane, 3), (self.tablesPane, 3)):
            self.splitter.setStretchFactor(self.splitter.indexOf(pane), stretch)
        self.tablesLayout.setStretch(0, 3)  # the rep table wider than the feedback log
        self.tablesLayout.setStretch(1, 2)
        self.repTable.verticalHeader().setVisible(False)
        self.hipToggle.toggled.connect(lambda on: self._toggle("show_hip", on))
        self.trunkToggle.toggled.connect(lambda on: self._toggle("show_trunk", on))
        self.exportButton.clicked.connect(self._export_clicked)
        self.askButton.clicked.connect(lambda: self.ask(self.questionEdit.text()))
        self.questionEdit.returnPressed.connect(lambda: self.ask(self.questionEdit.text()))
        self.referenceButton.clicked.connect(self._reference_clicked)
        self._calls: list[PendingCall] = []
        self._shown_images = -1
        self._shown_reps: list = []
        self._shown_feedback = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_MS)

    # --- what the trainer does ---------------------------------------------------------------
    def ask(self, question: str) -> None:
        """Ask the coach; the answer lands in the feedback log, the status line says how."""
        question = question.strip()
        if not question:
            self.askStatus.setText("type a question first")
            return
        self._calls.append(self.data.ask(question))
        self.askStatus.setText(f"asking: {question}")
        self.questionEdit.clear()

    def choose_reference(self, path: str) -> None:
        """Switch pose_node to the reference file at `path`."""
        self._calls.append(self.data.set_reference(path))
        self.askStatus.setText(f"switching the reference to {path}")

    def export_csv(self, path: Path) -> None:
        with self.data.lock:
            text = self.model.csv_text()
        path.write_text(text, encoding="utf-8")

    def _export_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export the reps", "reps.csv", "CSV (*.csv)")
        if name:
            try:
                self.export_csv(Path(name))
                self.askStatus.setText(f"reps written to {name}")
            except OSError as error:
                self.askStatus.setText(f"cannot write {name}: {error.strerror}")

    def _reference_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose a reference", "",
                                              "Reference (*.json)")
        if name:
            self.choose_reference(name)

    def _toggle(self, name: str, on: bool) -> None:
        setattr(self.model.settings, name, on)

    # --- settings (rqt keeps them between sessions) ------------------------------------------
    def save_settings(self, instance_settings: object) -> None:
        for key, value in self.model.settings.to_dict().items():
            instance_settings.set_value(key, value)

    def restore_settings(self, instance_settings: object) -> None:
        defaults = TrainerSettings().to_dict()
        settings = TrainerSettings.from_dict(
            {key: instance_settings.value(key, default) for key, default in defaults.items()})
        self.model.settings = settings
        self.hipToggle.setChecked(settings.show_hip)
        self.trunkToggle.setChecked(settings.show_trunk)
        if settings.namespace != self.data.namespace:
            self.data.connect(settings.namespace)

    # --- the refresh -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Move pending calls on and show what came since the last refresh."""
        for call in list(self._calls):
            if self.data.poll(call):
                self._calls.remove(call)
                prefix = "" if call.succeeded else "not done: "
                self.askStatus.setText(prefix + (call.outcome if call.service != "ask"
                                                 or not call.succeeded else "answered"))
        with self.data.lock:
            model = self.model
            reps, phase, score = model.rep_count, model.phase, model.frame_score
            last = model.last_score
            reference = model.reference_name
            curves = {c: model.curve(c) for c in model.visible_channels()}
            window = model.settings.plot_window_s
            rows = model.rows()
            feedback = model.feedback[self._shown_feedback:]
            image_count = self.data.image_count
            images = dict(self.data.images)
        self.repsLabel.setText(f"REPS {reps}")
        self.phaseLabel.setText(phase)
        self.scoreLabel.setText(f"score {_number(score, '.0f')}")
        red, green, blue = score_colour(last)
        self.lastRepLabel.setText(f"last rep {_number(last, '.0f')}")
        self.lastRepLabel.setStyleSheet(
            f"background-color: rgb({red}, {green}, {blue}); color: white; padding: 4px;")
        self.referenceLabel.setText(f"reference: {reference or '-'}")
        self.plot.set_curves(curves, window)
        if rows != self._shown_reps:
            self._fill_table(rows)
        for entry in feedback:
            who = f"Rep {entry.rep_index}" if entry.rep_index else "Answer"
            sources = (f"<br><small>sources: {html.escape(', '.join(entry.sources))}</small>"
                       if entry.sources else "")
            self.feedbackLog.append(f"<b>{who}</b>: {html.escape(entry.text)}{sources}")
        self._shown_feedback += len(feedback)
        if image_count != self._shown_images:
            self._shown_images = image_count
            for view, label in (("front", self.frontImage), ("side", self.sideImage)):
                if images.get(view) is not None:
                    self._show_image(label, images[view])

    def _fill_table(self, rows: list) -> None:
        self._shown_reps = rows
        self.repTable.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = (str(row.index), _number(row.descent_s, ".1f"), _number(row.ascent_s, ".1f"),
                     _number(row.min_knee_angle_deg, ".0f"),
                     _number(row.max_knee_valgus_deg, ".0f"),
                     _number(row.max_trunk_lean_deg, ".0f"), _number(row.score, ".0f"),
                     ", ".join(row.faults) or "none")
            for c, text in enumerate(cells):
                self.repTable.setItem(r, c, QTableWidgetItem(text))

    @staticmethod
    def _show_image(label: QLabel, rgb: np.ndarray) -> None:
        height, width = rgb.shape[:2]
        image = QImage(rgb.data, width, height, 3 * width, QImage.Format_RGB888).copy()
        label.setPixmap(QPixmap.fromImage(image).scaled(
            label.width(), label.height(), Qt.KeepAspectRatio, Qt.SmoothTransformation))

    def shutdown(self) -> None:
        self._timer.stop()
        self.data.close()
