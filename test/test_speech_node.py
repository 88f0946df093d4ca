"""speech_node through real rclpy and the real espeak-ng: one WAV per cue said, in order."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from helpers.ros2_run import ros2_run
from squat_feedback.speech import engine_path
from squat_msgs.msg import Cue

pytestmark = pytest.mark.skipif(engine_path() is None,
                                reason="espeak-ng is not installed (.ci/run installs it)")


def test_each_cue_becomes_one_non_silent_wav_in_order(spawn, listen, tmp_path):
    wav_dir = tmp_path / "said"
    node = spawn(ros2_run("squat_feedback", "speech_node", "-p", f"wav_dir:={wav_dir}"))
    listener = listen([])
    publisher = listener.node.create_publisher(Cue, "squat/cue", 10)
    listener.spin(30, lambda: publisher.get_subscription_count() > 0)
    assert publisher.get_subscription_count(), "speech_node did not come up"
    cues = [Cue(rep_index=2, text="Push your knees out over your toes.",
                fault_code="knee_valgus", language="en"),
            Cue(rep_index=5, text="좋아요, 바로 그거예요!", fault_code="", language="ko"),
            Cue(rep_index=6, text="Sit deeper, hips down to your knees.",
                fault_code="insufficient_depth", language="en")]
    for message in cues:
        publisher.publish(message)
        listener.spin(30, lambda n=message.rep_index: any(
            f"_rep{n}_" in p.name for p in wav_dir.glob("*.wav")))
    listener.spin(1.0)
    files = sorted(wav_dir.glob("*.wav"))
    assert [p.name for p in files] == ["0001_rep2_knee_valgus.wav", "0002_rep5_praise.wav",
                                       "0003_rep6_insufficient_depth.wav"]
    for path in files:
        with wave.open(str(path)) as wav:
            samples = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
            seconds = wav.getnframes() / wav.getframerate()
        assert np.sqrt(np.mean(samples.astype(float) ** 2)) > 300 and 0.5 < seconds < 8
    assert node.poll() is None
