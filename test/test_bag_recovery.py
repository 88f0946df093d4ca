"""A bag whose recorder was killed with SIGKILL: everything that reached the disk (all but the
last second) is recovered by `coach bag reindex`, and whatever reads bags says what to do
before that instead of failing; a full disk stops the recording, never the recorder."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time

import numpy as np
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rosbags.rosbag2 import Reader
from sensor_msgs.msg import CompressedImage

from conftest import REPO_ROOT
from helpers.ros2_run import ros2_run
from helpers.sample_messages import rep_summary
from squat_common.image_conversion import jpeg_message
from squat_common.qos import SENSOR_QOS
from squat_msgs.msg import RepSummary

FLUSH_PERIOD_S = 1.0  # session_recorder's


def coach(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO_ROOT / "scripts" / "coach"), *args], capture_output=True,
                          text=True, timeout=300)


def test_a_recorder_killed_with_sigkill_loses_at_most_its_last_second(spawn, listen, tmp_path):
    bag = tmp_path / "session"
    recorder = spawn(ros2_run("squat_bringup", "session_recorder", "-p", f"bag_path:={bag}"))
    publisher_side = listen([])
    node = publisher_side.node
    reps = node.create_publisher(RepSummary, "/squat/rep", QoSProfile(
        depth=20, reliability=ReliabilityPolicy.RELIABLE,
        durability=DurabilityPolicy.TRANSIENT_LOCAL))
    images = node.create_publisher(CompressedImage, "/front/image_raw/compressed", SENSOR_QOS)
    deadline = time.monotonic() + 60
    while reps.get_subscription_count() == 0 or images.get_subscription_count() == 0:
        assert time.monotonic() < deadline, "session_recorder did not subscribe"
        publisher_side.spin(0.1)
    frame = jpeg_message(np.full((480, 640, 3), 90, np.uint8), 80)
    sent_reps = 40
    for index in range(1, sent_reps + 1):
        message = rep_summary()
        message.rep_index = index
        reps.publish(message)
        images.publish(frame)
        publisher_side.spin(0.05)
    # Longer than the recorder's flush period after the last message: all of it is on disk.
    publisher_side.spin(3 * FLUSH_PERIOD_S)
    recorder.send_signal(signal.SIGKILL)
    recorder.wait(timeout=10)
    assert not (bag / "metadata.yaml").exists()

    for command in (["replay", str(bag)], ["report", str(bag)],
                    ["analyze", "--bag", str(bag), "--json", "-"]):
        refused = coach(*command)
        assert refused.returncode == 2, (command, refused.stderr)
        assert "was not closed (its recorder was killed?)" in refused.stderr
        assert f"'coach bag reindex {bag}'" in refused.stderr and "Traceback" not in \
            refused.stderr

    recovered = coach("bag", "reindex", str(bag))
    assert recovered.returncode == 0, recovered.stderr
    assert f"/squat/rep: {sent_reps}" in recovered.stdout
    kept = bag / f"{bag.name}.mcap.unclosed"
    assert kept.is_file()
    with Reader(bag) as reader:
        counts = {c.topic: c.msgcount for c in reader.connections}
        assert counts["/squat/rep"] == sent_reps
        # Best-effort images may be dropped on the way, never by the recovery.
        assert counts["/front/image_raw/compressed"] >= sent_reps * 0.9
        from rclpy.serialization import deserialize_message

        indices = [deserialize_message(data, RepSummary).rep_index for _, _, data in
                   reader.messages([c for c in reader.connections if c.topic == "/squat/rep"])]
    assert indices == list(range(1, sent_reps + 1))
    again = coach("bag", "reindex", str(bag))
    assert again.returncode == 2 and "is a closed bag: nothing to recover" in again.stderr


def test_a_folder_without_an_unclosed_bag_is_refused(tmp_path):
    result = coach("bag", "reindex", str(tmp_path))
    assert result.returncode == 2
    assert "holds no unclosed bag" in result.stderr and "Traceback" not in result.stderr


def test_a_full_disk_stops_the_recording_not_the_recorder(spawn, listen, tmp_path,
                                                         small_disk):
    disk = small_disk("600k")
    bag = disk / "session"
    recorder = spawn(ros2_run("squat_bringup", "session_recorder", "-p",
                              f"bag_path:={bag}"))
    sender = listen([])
    reps = sender.node.create_publisher(RepSummary, "/squat/rep", QoSProfile(
        depth=20, reliability=ReliabilityPolicy.RELIABLE,
        durability=DurabilityPolicy.TRANSIENT_LOCAL))
    images = sender.node.create_publisher(CompressedImage, "/front/image_raw/compressed",
                                          SENSOR_QOS)
    deadline = time.monotonic() + 60
    while images.get_subscription_count() == 0:
        assert time.monotonic() < deadline, "session_recorder did not subscribe"
        sender.spin(0.1)
    # Reps first, flushed while there is room; then frames of ~200 kB fill the disk.
    early_reps = 20
    for index in range(1, early_reps + 1):
        message = rep_summary()
        message.rep_index = index
        reps.publish(message)
        sender.spin(0.1)
    sender.spin(2 * FLUSH_PERIOD_S)
    noise = np.random.default_rng(0).integers(0, 255, (480, 640, 3), np.uint8)
    frame = jpeg_message(noise, 90)
    for index in range(early_reps + 1, early_reps + 41):
        message = rep_summary()
        message.rep_index = index
        reps.publish(message)
        images.publish(frame)
        sender.spin(0.05)
    sender.spin(3 * FLUSH_PERIOD_S)
    assert recorder.poll() is None, "the recorder died of a full disk"
    recorder.send_signal(signal.SIGINT)
    out = recorder.communicate(timeout=30)[0]
    assert recorder.returncode == 0, out[-2000:]
    assert "recording stopped: cannot write" in out and "No space left on device" in out
    assert "Traceback" not in out
    # What reached the disk is recovered once there is room (here: a copy elsewhere).
    copy = tmp_path / "session"
    shutil.copytree(bag, copy)
    recovered = coach("bag", "reindex", str(copy))
    assert recovered.returncode == 0, recovered.stderr
    found = re.search(r"/squat/rep: (\d+)", recovered.stdout)
    assert found and int(found.group(1)) >= early_reps, recovered.stdout
