"""Round trips through Image for bgr8, rgb8 and mono8, with the project's converter always and
with cv_bridge wherever it is installed: both must behave the same."""

from __future__ import annotations

import numpy as np
import pytest

from squat_common.image_conversion import (
    ImageConversionError,
    ImageConverter,
    decode_compressed,
    jpeg_message,
)


def converters():
    found = [pytest.param(ImageConverter(), id="squat_camera")]
    try:
        from cv_bridge import CvBridge
    except ImportError:
        pass
    else:
        found.append(pytest.param(CvBridge(), id="cv_bridge"))
    return found


@pytest.fixture(params=converters())
def bridge(request):
    return request.param


@pytest.fixture
def bgr():
    rng = np.random.default_rng(3)
    return rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8)


@pytest.mark.parametrize("encoding", ["bgr8", "rgb8"])
def test_colour_round_trip_is_exact(bridge, bgr, encoding):
    message = bridge.cv2_to_imgmsg(bgr, encoding)
    assert (message.height, message.width, message.encoding) == (48, 64, encoding)
    assert message.step == 64 * 3
    assert len(message.data) == 48 * 64 * 3
    assert np.array_equal(bridge.imgmsg_to_cv2(message), bgr)


def test_mono_round_trip_is_exact(bridge, bgr):
    gray = bgr[:, :, 0].copy()
    message = bridge.cv2_to_imgmsg(gray, "mono8")
    assert (message.step, message.encoding) == (64, "mono8")
    assert np.array_equal(bridge.imgmsg_to_cv2(message), gray)


def test_rgb8_message_read_as_bgr8_swaps_channels(bridge, bgr):
    message = bridge.cv2_to_imgmsg(bgr[:, :, ::-1].copy(), "rgb8")
    assert np.array_equal(bridge.imgmsg_to_cv2(message, "bgr8"), bgr)


def test_bgr8_message_read_as_mono8_is_luma(bridge):
    pixel = np.array([[[255, 0, 0]]], dtype=np.uint8)  # pure blue
    gray = bridge.imgmsg_to_cv2(bridge.cv2_to_imgmsg(pixel, "bgr8"), "mono8")
    assert gray.shape == (1, 1)
    assert gray[0, 0] == 29  # 0.114 * 255, OpenCV's BT.601 weights


def test_padded_rows_are_read_without_the_padding(bridge, bgr):
    message = bridge.cv2_to_imgmsg(bgr, "bgr8")
    padded = np.zeros((48, 64 * 3 + 8), np.uint8)
    padded[:, : 64 * 3] = bgr.reshape(48, -1)
    message.step = 64 * 3 + 8
    message.data = padded.tobytes()
    assert np.array_equal(bridge.imgmsg_to_cv2(message), bgr)


def test_wrong_channel_count_is_refused(bridge, bgr):
    with pytest.raises(Exception, match=r"(?i)channel|encoding"):
        bridge.cv2_to_imgmsg(bgr[:, :, 0], "bgr8")


def test_short_buffer_is_refused():
    converter = ImageConverter()
    message = converter.cv2_to_imgmsg(np.zeros((4, 4, 3), np.uint8), "bgr8")
    message.data = bytes(10)
    with pytest.raises(ImageConversionError, match="needs 48 bytes, has 10"):
        converter.imgmsg_to_cv2(message)


def test_unsupported_encoding_is_named():
    converter = ImageConverter()
    message = converter.cv2_to_imgmsg(np.zeros((2, 2), np.uint8), "mono8")
    message.encoding = "16UC1"
    with pytest.raises(ImageConversionError, match="unsupported encoding '16UC1'"):
        converter.imgmsg_to_cv2(message)


def test_empty_image_is_refused():
    converter = ImageConverter()
    message = converter.cv2_to_imgmsg(np.zeros((2, 2), np.uint8), "mono8")
    message.width = 0
    with pytest.raises(ImageConversionError, match="empty image"):
        converter.imgmsg_to_cv2(message)


def test_jpeg_round_trip_is_close(bgr):
    smooth = np.full((48, 64, 3), (40, 120, 200), np.uint8)
    message = jpeg_message(smooth, quality=90)
    assert message.format == "jpeg"
    decoded = decode_compressed(message)
    assert decoded.shape == smooth.shape
    assert np.abs(decoded.astype(int) - smooth).max() <= 3


def test_undecodable_compressed_image_is_refused():
    message = jpeg_message(np.zeros((8, 8, 3), np.uint8), quality=50)
    message.data = b"not a jpeg"
    with pytest.raises(ImageConversionError, match="could not decode"):
        decode_compressed(message)


def test_a_mono_jpeg_decodes_as_bgr_when_colour_is_asked():
    mono = np.full((24, 32), 77, np.uint8)
    message = jpeg_message(mono, quality=95)
    assert decode_compressed(message).shape == (24, 32)
    colour = decode_compressed(message, color=True)
    assert colour.shape == (24, 32, 3) and abs(int(colour[5, 5, 0]) - 77) <= 2
