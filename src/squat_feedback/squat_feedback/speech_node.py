"""speech_node: the cues of squat/cue said out loud, never holding anything up.

Subscribes squat/cue (Cue); a worker says each through espeak-ng in the cue's language
(squat_feedback.speech: only the newest waiting cue, none that went stale), to the audio device
or, with wav_dir, into one WAV file per cue. /diagnostics at 1 Hz: cues said, dropped, failed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node

from squat_common.diagnostics import DIAGNOSTICS_TOPIC, diagnostics
from squat_common.node_runner import NodeConfigurationError, join_within, run_node
from squat_common.parameters import NodeParameters
from squat_feedback.speech import (
    ENGINE,
    LatestCue,
    SpeechError,
    SpeechSettings,
    SpokenCue,
    engine_path,
    say,
)
from squat_msgs.msg import Cue


class SpeechNode(Node):
    """Thin node: cues in, speech (or WAV files) out."""

    def __init__(self) -> None:
        super().__init__("speech_node")
        self._settings = NodeParameters(self, SpeechSettings())
        wav_dir = self._settings.value.wav_dir
        self._wav_dir = Path(wav_dir).expanduser() if wav_dir else None
        if self._wav_dir is not None:
            try:
                self._wav_dir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise NodeConfigurationError(
                    f"wav_dir {self._wav_dir}: {error.strerror or error}") from None
        self._engine = engine_path()
        if self._engine is None:
            self.get_logger().error(f"{ENGINE} is not installed (Debian: apt-get install "
                                    f"{ENGINE}): cues are not said")
        self._cues = LatestCue()
        self._said = self._failed = self._received = 0
        self._last_error = ""
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, DIAGNOSTICS_TOPIC, 10)
        self.create_subscription(Cue, "squat/cue", self._on_cue, 10)
        self.create_timer(1.0, self._publish_diagnostics)
        self._worker = threading.Thread(target=self._speak, name="speech", daemon=True)
        self._worker.start()
        where = f"into {self._wav_dir}" if self._wav_dir else "to the audio device"
        self.get_logger().info(f"saying the cues of squat/cue with {ENGINE} {where}")

    def _on_cue(self, message: Cue) -> None:
        self._received += 1
        kind = message.fault_code or "praise"
        self._cues.put(SpokenCue(message.text, message.language,
                                 f"{self._received:04d}_rep{message.rep_index}_{kind}"))

    def _speak(self) -> None:
        while not self._cues.closed:
            settings = self._settings.value
            cue = self._cues.take(settings.max_age_s)
            if cue is None:
                continue
            try:
                say(cue, settings.words_per_minute, self._wav_dir)
                self._said += 1
                self._last_error = ""
            except SpeechError as error:
                self._failed += 1
                if str(error) != self._last_error:  # said once, not per cue
                    self.get_logger().error(f"a cue was not said: {error}")
                self._last_error = str(error)

    def _publish_diagnostics(self) -> None:
        if self._engine is None or self._last_error:
            level, message = DiagnosticStatus.ERROR, self._last_error or f"no {ENGINE}"
        else:
            level, message = DiagnosticStatus.OK, f"{self._said} cues said"
        values = {"engine": self._engine or "none", "output": str(self._wav_dir or "audio"),
                  "cues_received": str(self._received), "cues_said": str(self._said),
                  "cues_dropped": str(self._cues.dropped), "cues_failed": str(self._failed)}
        self._diagnostics_pub.publish(diagnostics(self, "speech", level, message, values))

    def destroy_node(self) -> None:
        self._cues.close()
        join_within([self._worker])
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    """Run speech_node until shutdown; 1 when its parameters are refused."""
    return run_node(SpeechNode, "speech_node", args)
