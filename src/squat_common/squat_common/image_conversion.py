"""Conversion between OpenCV images (numpy arrays) and sensor_msgs Image / CompressedImage.

The same semantics as cv_bridge for the encodings squat coach publishes (bgr8, rgb8, mono8),
for machines where cv_bridge is not installed (image_bridge.py picks one). Imports no rclpy.
"""

from __future__ import annotations

import sys

import cv2
import numpy as np
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header

CHANNELS = {"bgr8": 3, "rgb8": 3, "mono8": 1}

# cvtColor codes from (source, target) encoding.
_CONVERSIONS = {
    ("bgr8", "rgb8"): cv2.COLOR_BGR2RGB,
    ("rgb8", "bgr8"): cv2.COLOR_RGB2BGR,
    ("bgr8", "mono8"): cv2.COLOR_BGR2GRAY,
    ("rgb8", "mono8"): cv2.COLOR_RGB2GRAY,
    ("mono8", "bgr8"): cv2.COLOR_GRAY2BGR,
    ("mono8", "rgb8"): cv2.COLOR_GRAY2RGB,
}


class ImageConversionError(ValueError):
    """An image that cannot be converted as asked (cv_bridge raises CvBridgeError here)."""


def convert_color(image: np.ndarray, source: str, target: str) -> np.ndarray:
    """`image` in encoding `source` converted to encoding `target`."""
    if source == target:
        return image
    code = _CONVERSIONS.get((source, target))
    if code is None:
        raise ImageConversionError(f"cannot convert {source} to {target}; supported: "
                                   f"{', '.join(sorted(CHANNELS))}")
    return cv2.cvtColor(image, code)


def _check_shape(image: np.ndarray, encoding: str) -> None:
    if image.dtype != np.uint8:
        raise ImageConversionError(f"{encoding} needs uint8 pixels, got {image.dtype}")
    channels = 1 if image.ndim == 2 else image.shape[2] if image.ndim == 3 else -1
    if channels != CHANNELS[encoding]:
        raise ImageConversionError(
            f"{encoding} needs {CHANNELS[encoding]} channel(s), image has shape {image.shape}")


class ImageConverter:
    """cv_bridge.CvBridge's conversions for bgr8, rgb8 and mono8, without cv_bridge."""

    def cv2_to_imgmsg(self, cvim: np.ndarray, encoding: str = "passthrough",
                      header: Header | None = None) -> Image:
        """An Image holding `cvim`; `encoding` names what the pixels already are."""
        if encoding == "passthrough":
            encoding = "mono8" if cvim.ndim == 2 else "bgr8"
        if encoding not in CHANNELS:
            raise ImageConversionError(f"unsupported encoding {encoding!r}; supported: "
                                       f"{', '.join(sorted(CHANNELS))}")
        _check_shape(cvim, encoding)
        message = Image()
        if header is not None:
            message.header = header
        message.height, message.width = cvim.shape[:2]
        message.encoding = encoding
        message.is_bigendian = sys.byteorder == "big"
        message.step = message.width * CHANNELS[encoding]
        # bytes, not the array: assigning an ndarray to Image.data is ~1000x slower.
        message.data = np.ascontiguousarray(cvim).tobytes()
        return message

    def imgmsg_to_cv2(self, img_msg: Image, desired_encoding: str = "passthrough") -> np.ndarray:
        """The pixels of `img_msg` as an array, converted to `desired_encoding` if given."""
        encoding = img_msg.encoding
        if encoding not in CHANNELS:
            raise ImageConversionError(f"unsupported encoding {encoding!r}; supported: "
                                       f"{', '.join(sorted(CHANNELS))}")
        channels = CHANNELS[encoding]
        row_bytes = img_msg.width * channels
        if img_msg.height == 0 or img_msg.width == 0:
            raise ImageConversionError(f"empty image ({img_msg.width}x{img_msg.height})")
        if img_msg.step < row_bytes or len(img_msg.data) < img_msg.step * img_msg.height:
            raise ImageConversionError(
                f"{encoding} image {img_msg.width}x{img_msg.height} with step {img_msg.step} "
                f"needs {max(img_msg.step, row_bytes) * img_msg.height} bytes, "
                f"has {len(img_msg.data)}")
        buffer = np.frombuffer(img_msg.data, np.uint8, count=img_msg.step * img_msg.height)
        rows = buffer.reshape(img_msg.height, img_msg.step)[:, :row_bytes]
        image = rows.reshape(img_msg.height, img_msg.width, channels)
        if channels == 1:
            image = image[:, :, 0]
        if desired_encoding == "passthrough":
            return image
        return convert_color(image, encoding, desired_encoding)


def jpeg_message(cvim: np.ndarray, quality: int) -> CompressedImage:
    """A sensor_msgs CompressedImage holding `cvim` (bgr8 or mono8) as JPEG at `quality`.

    cv_bridge's cv2_to_compressed_imgmsg takes no quality, so the node always uses this.
    """
    ok, encoded = cv2.imencode(".jpg", cvim, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ImageConversionError(f"could not encode a {cvim.shape} image as JPEG")
    message = CompressedImage()
    message.format = "jpeg"
    message.data = encoded.tobytes()
    return message


def decode_compressed(message: CompressedImage, color: bool = False) -> np.ndarray:
    """The bgr8 (or mono8) pixels of a CompressedImage; always bgr8 with `color`."""
    buffer = np.frombuffer(bytes(message.data), np.uint8)
    mode = cv2.IMREAD_COLOR if color else cv2.IMREAD_UNCHANGED
    image = cv2.imdecode(buffer, mode) if buffer.size else None
    if image is None:
        raise ImageConversionError(
            f"could not decode a {message.format!r} image of {buffer.size} bytes")
    return image
