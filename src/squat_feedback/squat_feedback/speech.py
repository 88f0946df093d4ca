"""Cues said out loud: which cue is said next, and the offline engine that says it.

A lifter hears the newest cue or nothing: at most one cue waits (a newer one replaces it), and
one that waited longer than `max_age_s` is dropped as stale, since it is about a rep long past.
The engine is espeak-ng (Debian), offline, with English and Korean voices; it plays through the
audio device, or writes a WAV file per cue where there is none (or when asked). Imports no
rclpy.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from squat_common.newest_queue import NewestQueue
from squat_common.settings import setting

ENGINE = "espeak-ng"
# espeak-ng voices of the cue languages.
VOICES = {"en": "en-us", "ko": "ko"}


class SpeechError(RuntimeError):
    """The engine could not say a cue, with the reason."""


@dataclass(frozen=True)
class SpeechSettings:
    """speech_node's parameters."""

    wav_dir: str = setting(
        "", "Write each cue as a WAV file in this folder instead of playing it (where no audio "
        "device exists); empty: play it.", read_only=True)
    words_per_minute: int = setting(160, "Speaking rate.", unit="words/min", low=80, high=400)
    max_age_s: float = setting(
        3.0, "A cue that waited longer than this to be said is dropped: its rep is past.",
        unit="s", low=0.1, high=60.0)


@dataclass(frozen=True)
class SpokenCue:
    """A cue to say: its text and language, and what names its WAV file."""

    text: str
    language: str
    name: str


class LatestCue:
    """Hands the worker the newest waiting cue; an older waiting one is replaced, and one that
    waited too long is dropped (both counted in `dropped`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._waiting = NewestQueue(capacity=1)
        self._stale = 0

    def put(self, cue: SpokenCue) -> None:
        self._waiting.put((cue, self._clock()))

    def take(self, max_age_s: float, timeout_s: float = 0.5) -> SpokenCue | None:
        """The waiting cue if it is fresh (a stale one is dropped), else None after a wait."""
        waiting = self._waiting.take(timeout_s)
        if waiting is None:
            return None
        cue, since = waiting
        if self._clock() - since > max_age_s:
            self._stale += 1
            return None
        return cue

    @property
    def dropped(self) -> int:
        return self._waiting.dropped + self._stale

    def close(self) -> None:
        self._waiting.close()

    @property
    def closed(self) -> bool:
        return self._waiting.closed


def engine_path() -> str | None:
    """Where espeak-ng is installed, if it is."""
    return shutil.which(ENGINE)


def say(cue: SpokenCue, words_per_minute: int, wav_dir: Path | None,
        timeout_s: float = 20.0) -> Path | None:
    """Say `cue` through the audio device, or write it to `wav_dir/<name>.wav` (returned)."""
    engine = engine_path()
    if engine is None:
        raise SpeechError(f"{ENGINE} is not installed (Debian: apt-get install {ENGINE})")
    command = [engine, "-v", VOICES.get(cue.language, VOICES["en"]), "-s",
               str(words_per_minute)]
    target = None
    if wav_dir is not None:
        target = wav_dir / f"{cue.name}.wav"
        command += ["-w", str(target)]
    try:
        # The text goes on stdin: a cue is never read as an option.
        done = subprocess.run([*command, "--stdin"], input=cue.text.encode("utf-8"),
                              capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        raise SpeechError(f"{ENGINE} took over {timeout_s:g} s") from error
    said = done.stderr.decode(errors="replace").strip().splitlines()
    # Without an audio device espeak-ng still exits 0, having said "error: ..." on stderr.
    if done.returncode != 0 or any(line.startswith("error:") for line in said):
        device = "" if target else "; no audio device? wav_dir keeps the cues as WAV files"
        raise SpeechError(f"{ENGINE} failed ({done.returncode}): "
                          f"{said[-1] if said else 'no reason given'}{device}")
    return target
