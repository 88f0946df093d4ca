"""The overlay reads at 640x480: trainer words with units, the phase and rep count large, and
text that OCR (Debian's tesseract) reads back: outline and fill drawn as one."""

from __future__ import annotations

import shutil
import subprocess

import cv2
import numpy as np
import pytest

from squat_pose.analysis import FrameAnalysis
from squat_pose.geometry import Measure
from squat_pose.overlay import ALERT, draw_overlay, draw_text
from squat_pose.phases import Phase

TESSERACT = shutil.which("tesseract")


def gym_image() -> np.ndarray:
    """A busy background: text must stand out on anything."""
    rng = np.random.default_rng(1)
    image = rng.integers(60, 200, (480, 640, 3), np.uint8)
    return cv2.GaussianBlur(image, (7, 7), 0)


def analysis() -> FrameAnalysis:
    return FrameAnalysis(2.0, {"knee_valgus_left": Measure(22.7, 0.9, "front"),
                               "pelvis_shift": Measure(0.04, 0.9, "front")},
                         Phase.BOTTOM, 3, None, ("knee_valgus",))


def ocr(image: np.ndarray, tmp_path) -> str:
    path = tmp_path / "overlay.png"
    # Tesseract reads dark text on a plain page best: the white fill as black on white, with
    # a margin, enlarged (a person reads the colour image; the outline is what makes it work).
    fill = (cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) > 200).astype(np.uint8)
    page = cv2.copyMakeBorder(255 - 255 * fill, 20, 20, 20, 20, cv2.BORDER_CONSTANT,
                              value=255)
    cv2.imwrite(str(path), cv2.resize(page, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    return subprocess.run([TESSERACT, str(path), "-", "--psm", "6"], capture_output=True,
                          text=True, timeout=60, check=True).stdout


def test_outline_and_fill_are_one_shape():
    canvas = np.full((60, 300, 3), 128, np.uint8)
    bottom = draw_text(canvas, "BOTTOM reps 1", (5, 5), 0.9, (255, 255, 255))
    white = (canvas == 255).all(axis=2)
    black = (canvas == 0).all(axis=2)
    assert white.sum() > 200 and black.sum() > 200 and bottom > 30
    # Every white pixel is ringed by the outline: no fill pokes out of it (a second pass with
    # other glyph advances would leave white next to grey).
    grown = cv2.dilate(white.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    ring = grown & ~white
    assert (canvas[ring] == 128).all(axis=1).mean() < 0.05


def test_labels_are_trainer_words_with_units_and_faults_in_the_alert_colour():
    drawn = draw_overlay(gym_image(), "front", None, analysis(), score=74.0)
    alert = (np.abs(drawn.astype(int) - ALERT).sum(axis=2) < 10)
    assert alert[400:].sum() > 100 and alert[:300].sum() == 0


@pytest.mark.skipif(TESSERACT is None, reason="Debian's tesseract-ocr is not installed "
                    "(.ci/run installs it)")
def test_ocr_reads_the_phase_the_rep_count_and_a_label(tmp_path):
    drawn = draw_overlay(gym_image(), "front", None, analysis(), score=74.0)
    text = ocr(drawn[:130], tmp_path)
    words = text.upper().replace("\n", " ")
    assert "BOTTOM" in words and "REPS 3" in words, text
    assert "SCORE 74" in words, text
    assert "KNEE VALGUS 23 DEG" in words, text
