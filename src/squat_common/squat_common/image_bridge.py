"""The image converter to use: ROS 2's cv_bridge where installed, the project's otherwise."""

from __future__ import annotations

from typing import Any

from squat_common.image_conversion import ImageConverter


def image_bridge() -> tuple[Any, str]:
    """A converter with CvBridge's methods, and which one it is."""
    try:
        from cv_bridge import CvBridge
    except ImportError:
        return ImageConverter(), "squat_common.image_conversion (cv_bridge is not installed)"
    return CvBridge(), "cv_bridge"
