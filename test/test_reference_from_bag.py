"""An answer sheet built from a recorded session (`coach reference build --bag`), and the
offline analysis of one (`coach analyze --bag`): the coach's clips written into a rosbag2 bag
as the camera nodes publish them (JPEG CompressedImage, capture stamps), then read back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from rclpy.serialization import serialize_message

from conftest import REPO_ROOT, SHARED_DATA, needs_footage
from squat_bringup.bag_writer import BagWriter, qos
from squat_common.image_conversion import jpeg_message
from squat_common.stamps import time_from_ns
from squat_pose.reference import load_reference

COACH = SHARED_DATA / "reference"
# A wall-clock start, as a live session's stamps have, and a side camera 7 ms behind the front.
START_NS = 1_764_000_000_000_000_000
SIDE_LAG_NS = 7_000_000


def coach(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO_ROOT / "scripts" / "coach"), *args], capture_output=True,
                          text=True, timeout=300)


def write_session_bag(bag: Path, videos: dict[str, Path]) -> dict[str, int]:
    """Each video's frames as its camera's image_raw/compressed; frames written per camera."""
    writer = BagWriter(bag)
    written = {}
    messages = []
    for view, video in videos.items():
        topic = f"/{view}/image_raw/compressed"
        writer.add_topic(topic, "sensor_msgs/msg/CompressedImage", qos(False, False))
        capture = cv2.VideoCapture(str(video))
        fps = capture.get(cv2.CAP_PROP_FPS)
        index = 0
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            stamp = START_NS + round(index * 1e9 / fps) + (SIDE_LAG_NS if view == "side" else 0)
            message = jpeg_message(frame, 80)
            message.header.stamp = time_from_ns(stamp)
            message.header.frame_id = f"{view}_camera_optical_frame"
            # Received a little after capture, as a subscriber would.
            messages.append((stamp + 3_000_000, topic, serialize_message(message)))
            index += 1
        capture.release()
        written[view] = index
    for received, topic, data in sorted(messages):
        writer.write(topic, received, data)
    writer.close()
    return written


@needs_footage
def test_a_reference_built_from_a_recorded_session_matches_the_one_from_its_videos(tmp_path):
    videos = {"front": COACH / "coach_front.mp4", "side": COACH / "coach_side.mp4"}
    bag = tmp_path / "coach_session"
    written = write_session_bag(bag, videos)
    from_bag, from_videos = tmp_path / "from_bag.json", tmp_path / "from_videos.json"
    built = coach("reference", "build", "--bag", str(bag), "-o", str(from_bag))
    assert built.returncode == 0, built.stderr[-2000:]
    built = coach("reference", "build", "--front", str(videos["front"]), "--side",
                  str(videos["side"]), "-o", str(from_videos))
    assert built.returncode == 0, built.stderr[-2000:]

    bag_ref, video_ref = load_reference(from_bag), load_reference(from_videos)
    assert bag_ref.views == ["front", "side"] and bag_ref.source == {"front": str(bag),
                                                                     "side": str(bag)}
    # The side camera drives: one reference frame per recorded side frame, at its rate.
    assert len(bag_ref.times_s) == written["side"] == len(video_ref.times_s)
    assert bag_ref.fps == pytest.approx(video_ref.fps, rel=0.01)
    assert bag_ref.times_s[0] == 0.0
    assert len(bag_ref.reps) == len(video_ref.reps) >= 1
    # JPEG at the camera node's quality changes the estimate a little, not the squat
    # (measured: 0.4-0.8 deg RMS per angle, reps' ends 0.2 s apart).
    for name in ("knee_flexion", "hip_flexion", "trunk_lean"):
        difference = bag_ref.angles[name] - video_ref.angles[name]
        assert np.sqrt(np.nanmean(difference ** 2)) < 3.0, name
    for bag_rep, video_rep in zip(bag_ref.reps, video_ref.reps, strict=True):
        assert abs(bag_rep.start_s - video_rep.start_s) < 0.5
        assert abs(bag_rep.end_s - video_rep.end_s) < 0.5

    # The coach's own recorded session scores high against the answer sheet made from it.
    analysed = coach("analyze", "--bag", str(bag), "--reference", str(from_bag), "--json", "-")
    assert analysed.returncode == 0, analysed.stderr[-2000:]
    result = json.loads(analysed.stdout)
    assert result["frames"] == written["side"]
    assert result["reps"] and all(rep["score"] >= 90 for rep in result["reps"]), result["reps"]


@pytest.mark.parametrize(("args", "message"), [
    (["--bag", "{bag}", "--side", "{bag}"], "give --bag alone"),
    (["--bag", "{tmp}"], "is not a rosbag2 bag (no metadata.yaml)"),
    (["--bag", "{empty}"], "holds no front or side camera frames"),
    ([], "give --front, --side or both (or --bag)"),
], ids=["bag and a view", "a folder that is no bag", "a bag without cameras", "nothing"])
def test_bad_bag_choices_are_refused_before_any_work(tmp_path, args, message):
    empty = tmp_path / "empty_bag"
    writer = BagWriter(empty)
    writer.add_topic("/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", qos(True, False))
    writer.close()
    filled = [a.format(bag=empty, tmp=tmp_path, empty=empty) for a in args]
    for command in (["reference", "build", *filled, "-o", str(tmp_path / "r.json")],
                    ["analyze", *filled, "--json", str(tmp_path / "a.json")]):
        result = coach(*command)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "r.json").exists() and not (tmp_path / "a.json").exists()
