"""The live angle plot: the athlete's curves (solid) against the reference's (dashed) over the
plot window, drawn with Qt's own painter (cheap enough to redraw at the view's refresh rate)."""

from __future__ import annotations

import math

from python_qt_binding.QtCore import QPointF, Qt
from python_qt_binding.QtGui import QColor, QPainter, QPainterPath, QPen
from python_qt_binding.QtWidgets import QWidget

COLOURS = {"knee_flexion": QColor(40, 160, 80), "hip_flexion": QColor(200, 120, 30),
           "trunk_lean": QColor(150, 80, 190)}
REFERENCE = QColor(60, 140, 230)
RANGE_DEG = (-10.0, 150.0)
MARGIN = 36


class AnglePlot(QWidget):
    """Curves set with set_curves(), drawn on the next paint."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(140)
        self._curves: dict[str, tuple[list[float], list[float], list[float]]] = {}
        self._window_s = 10.0

    def set_curves(self, curves: dict[str, tuple[list[float], list[float], list[float]]],
                   window_s: float) -> None:
        """channel -> (times, athlete, reference); the last time is drawn at the right."""
        self._curves, self._window_s = curves, window_s
        self.update()

    def _path(self, times: list[float], values: list[float], end: float) -> QPainterPath:
        path = QPainterPath()
        width, height = self.width() - 2 * MARGIN, self.height() - 2 * MARGIN
        low, high = RANGE_DEG
        drawing = False
        for t, value in zip(times, values, strict=True):
            if not math.isfinite(value):
                drawing = False
                continue
            x = MARGIN + width * (1.0 - (end - t) / self._window_s)
            y = MARGIN + height * (1.0 - (min(max(value, low), high) - low) / (high - low))
            if drawing:
                path.lineTo(QPointF(x, y))
            else:
                path.moveTo(QPointF(x, y))
                drawing = True
        return path

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), QColor(250, 250, 250))
        height = self.height() - 2 * MARGIN
        low, high = RANGE_DEG
        painter.setPen(QPen(QColor(200, 200, 200), 1))
        for degrees in range(0, int(high) + 1, 30):
            y = MARGIN + height * (1.0 - (degrees - low) / (high - low))
            painter.drawLine(MARGIN, int(y), self.width() - MARGIN, int(y))
            painter.drawText(4, int(y) + 4, f"{degrees}")
        painter.setPen(QColor(80, 80, 80))
        painter.drawText(MARGIN, MARGIN - 10, "deg: athlete (solid), reference (dashed)")
        ends = [times[-1] for times, _, _ in self._curves.values() if times]
        if not ends:
            painter.drawText(MARGIN, MARGIN + 20, "no squat state yet")
            painter.end()
            return
        end = max(ends)
        for channel, (times, athlete, reference) in self._curves.items():
            painter.setPen(QPen(REFERENCE, 2, Qt.DashLine))
            painter.drawPath(self._path(times, reference, end))
            painter.setPen(QPen(COLOURS.get(channel, QColor(0, 0, 0)), 2.5))
            painter.drawPath(self._path(times, athlete, end))
        painter.end()
