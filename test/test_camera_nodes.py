"""camera_node through real rclpy: real footage, two cameras in two processes, bad inputs."""

from __future__ import annotations

import itertools
import subprocess
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image

from conftest import SHARED_DATA, needs_footage
from helpers.ros2_run import ros2_run
from squat_common.stamps import stamp_ns
from squat_pose.approximate_sync import ApproximateTimeSynchronizer, SimpleFilter

SLOP_S = 0.6 / 30  # pose_node's default


def camera(name: str, video_device: Path | str, *params: str) -> list[str]:
    return ros2_run("squat_camera", "camera_node", "-r", f"__ns:=/{name}",
                    "-p", f"camera_name:={name}", "-p", f"video_device:={video_device}",
                    "-p", "wait_for_subscribers:=1", *params)


def file_times_ns(path: Path) -> list[int]:
    capture = cv2.VideoCapture(str(path))
    times = []
    while capture.grab():
        times.append(round(capture.get(cv2.CAP_PROP_POS_MSEC) * 1e6))
    return times


@needs_footage
def test_file_at_native_rate_every_frame_once_on_the_file_times(spawn, listen):
    path = SHARED_DATA / "user" / "user_front.mp4"
    expected = file_times_ns(path)
    listener = listen(["front"], cameras=True)
    node = spawn(camera("front", path))

    listener.spin(30, lambda: len(listener.images["front"]) >= len(expected))
    listener.spin(0.5)  # anything extra would arrive now

    images, infos = listener.images["front"], listener.infos["front"]
    assert node.poll() is None, node.stdout.read()
    assert len(images) == len(expected) == 208
    stamps = [stamp_ns(image) for image in images]
    assert all(b > a for a, b in itertools.pairwise(stamps))
    spacing_error_ms = [abs((s - stamps[0]) - (t - expected[0])) / 1e6
                        for s, t in zip(stamps, expected, strict=True)]
    assert max(spacing_error_ms) < 5
    info_by_stamp = {stamp_ns(info): info for info in infos}
    for image in images:
        info = info_by_stamp[stamp_ns(image)]
        assert (info.width, info.height) == (image.width, image.height) == (271, 480)
        assert image.header.frame_id == info.header.frame_id == "front_optical_frame"


@needs_footage
def test_two_camera_processes_reach_a_third(spawn, listen):
    listener = listen(["front", "side"], cameras=True)
    # One graph gives its file cameras one start time, as `coach run` and the launch file do.
    start = f"start_time:={time.time() + 4.0}"
    spawn(camera("front", SHARED_DATA / "user" / "user_front.mp4", "-p", start))
    spawn(camera("side", SHARED_DATA / "user" / "user_side.mp4", "-p", start))

    listener.spin(30, lambda: all(len(v) >= 60 for v in listener.images.values()))

    assert len(listener.images["front"]) >= 60
    assert len(listener.images["side"]) >= 60
    first_front = stamp_ns(listener.images["front"][0])
    first_side = stamp_ns(listener.images["side"][0])
    assert abs(first_front - first_side) < 0.5e9, "two files started together start together"


def test_file_cameras_started_3_s_apart_still_pair(spawn, listen, tmp_path):
    render = [*ros2_run("squat_virtual_athlete", "render_athlete"), "-o", str(tmp_path),
              "--reps", "1"]
    rendered = subprocess.run(render, capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    listener = listen(["front", "side"], cameras=True)
    pairs = []
    inputs = [SimpleFilter(), SimpleFilter()]
    sync = ApproximateTimeSynchronizer(inputs, 10, SLOP_S)
    sync.registerCallback(lambda front, side: pairs.append((front, side)))
    for view, source in zip(("front", "side"), inputs, strict=True):
        listener.node.create_subscription(Image, f"/{view}/image_raw", source.signalMessage,
                                          qos_profile_sensor_data)
    start = f"start_time:={time.time() + 7.0}"
    spawn(camera("front", tmp_path / "front.mp4", "-p", start))
    listener.spin(3.0)
    spawn(camera("side", tmp_path / "side.mp4", "-p", start))

    frames = len(file_times_ns(tmp_path / "front.mp4"))
    listener.spin(30, lambda: min(len(v) for v in listener.images.values()) >= frames)
    listener.spin(0.5)

    received = {view: len(images) for view, images in listener.images.items()}
    assert min(received.values()) >= 0.99 * frames, received
    assert len(pairs) >= 0.99 * max(received.values()), (len(pairs), received)
    assert all(stamp_ns(front) == stamp_ns(side) for front, side in pairs)


@pytest.mark.parametrize("make_device, params, reason", [
    (lambda tmp: tmp / "missing.mp4", [], "no such file, folder or device"),
    (lambda tmp: (tmp / "fake.mp4").write_text("text") and tmp / "fake.mp4", [],
     "OpenCV cannot decode it as video"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", [], "the folder holds no images"),
    (lambda tmp: tmp, ["-p", "framerate:=-1.0"], "framerate"),
    (lambda tmp: tmp, ["-p", "image_width:=0"], "image_width"),
    (lambda tmp: tmp, ["-p", "encoding:=bgra8"], "encoding 'bgra8'"),
], ids=["missing file", "text renamed mp4", "empty folder", "framerate -1", "image_width 0",
        "bad encoding"])
def test_bad_input_is_refused_by_name_without_traceback(tmp_path, make_device, params, reason):
    device = make_device(tmp_path)
    result = subprocess.run(camera("front", device, *params), capture_output=True, text=True,
                            timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert reason in output
    assert "Traceback" not in output


def test_a_whole_number_for_a_float_parameter_is_taken(spawn, listen, tmp_path):
    # `-p framerate:=30` reaches the node as an integer parameter: it means 30.0, not a
    # type error (usb_cam users write it so).
    for index in range(3):
        cv2.imwrite(str(tmp_path / f"{index:03d}.png"), (index * 40) * np.ones((60, 80, 3),
                                                                                 np.uint8))
    listener = listen(["front"], cameras=True)
    node = spawn(camera("front", tmp_path, "-p", "framerate:=5"))
    listener.spin(30, lambda: len(listener.images["front"]) >= 3)
    assert len(listener.images["front"]) >= 3, "no frame published"
    assert node.poll() is None
    stamps = [stamp_ns(image) for image in listener.images["front"][:3]]
    assert all(abs((b - a) / 1e9 - 0.2) < 0.01 for a, b in itertools.pairwise(stamps)), stamps
