"""Cues out loud: the newest fresh cue is said, the real espeak-ng writes non-silent WAVs."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from squat_feedback.speech import LatestCue, SpeechError, SpokenCue, engine_path, say

needs_engine = pytest.mark.skipif(engine_path() is None,
                                  reason="espeak-ng is not installed (.ci/run installs it)")


def cue(name: str, text: str = "Keep your heels down.", language: str = "en") -> SpokenCue:
    return SpokenCue(text, language, name)


def test_a_newer_cue_replaces_the_one_waiting():
    cues = LatestCue(clock=lambda: 0.0)
    cues.put(cue("a"))
    cues.put(cue("b"))
    assert cues.take(max_age_s=3.0).name == "b" and cues.dropped == 1


def test_a_cue_that_waited_too_long_is_dropped():
    now = [0.0]
    cues = LatestCue(clock=lambda: now[0])
    cues.put(cue("a"))
    now[0] = 3.5
    assert cues.take(max_age_s=3.0, timeout_s=0.0) is None and cues.dropped == 1
    cues.put(cue("b"))
    assert cues.take(max_age_s=3.0).name == "b" and cues.dropped == 1


def test_nothing_waiting_gives_none_after_the_wait():
    assert LatestCue().take(max_age_s=3.0, timeout_s=0.01) is None


def wav_seconds_and_rms(path) -> tuple[float, float]:
    with wave.open(str(path)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
        return wav.getnframes() / wav.getframerate(), float(np.sqrt(np.mean(
            samples.astype(float) ** 2)))


@needs_engine
@pytest.mark.parametrize("text, language", [
    ("Push your knees out over your toes.", "en"), ("무릎을 발끝 방향으로 밀어내세요.", "ko"),
    ("-v xx --help", "en")], ids=["English", "Korean", "text like an option"])
def test_espeak_ng_writes_a_non_silent_wav_of_a_plausible_length(tmp_path, text, language):
    path = say(cue("c", text, language), 160, tmp_path)
    seconds, rms = wav_seconds_and_rms(path)
    assert rms > 300, "silent"
    # 160 words a minute is 0.375 s a word; allow a wide margin either way.
    words = len(text.split())
    assert 0.15 * words < seconds < 1.2 * words + 0.5, seconds


@needs_engine
@pytest.mark.skipif(Path("/proc/asound/cards").is_file() and "no soundcards" not in Path(
    "/proc/asound/cards").read_text(), reason="this machine has a sound card")
def test_without_an_audio_device_a_cue_fails_with_the_reason_not_in_silence():
    with pytest.raises(SpeechError, match="no audio device"):
        say(cue("c"), 160, None)
