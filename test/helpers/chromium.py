"""A page as a person sees it: Debian's headless Chromium takes a screenshot of a local file."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

CHROMIUM = shutil.which("chromium")
# Flags for a closed network and a root user (no sandbox), as this machine's Chromium needs.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 2600) -> np.ndarray:
    """Screenshot of `page` into `png`, returned as a bgr8 image."""
    assert CHROMIUM, "chromium is not installed (.ci/run installs Debian's chromium)"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                        f"--window-size={width},{height}", f"--screenshot={png}",
                        page.resolve().as_uri()], capture_output=True, timeout=120,
                       check=True)
    image = cv2.imread(str(png))
    assert image is not None, f"chromium wrote no screenshot to {png}"
    return image


def report_ink(shot: np.ndarray) -> tuple[float, int, int]:
    """How much of a report's screenshot is drawn: the share of pixel rows that are not one
    colour, and the pixels of the athlete's (green) and the reference's (blue) curves."""
    rows_with_ink = float(np.mean(shot.std(axis=(1, 2)) > 10))
    b, g, r = (shot[..., i].astype(int) for i in range(3))
    athlete = int(((g > 100) & (g - r > 60) & (g - b > 40)).sum())
    reference = int(((b > 150) & (b - r > 80)).sum())
    return rows_with_ink, athlete, reference
