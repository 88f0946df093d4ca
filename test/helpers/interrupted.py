"""A process sent Ctrl-C (SIGINT) a given time after it starts, or after it says it is ready."""

from __future__ import annotations

import signal
import subprocess
import time


def interrupted(command: list[str], delay_s: float, ready: str | None = None,
                timeout_s: float = 60.0) -> tuple[int, str]:
    """Its exit code and stderr, SIGINT sent `delay_s` after its start, or after its first
    stdout line once that line is `ready` (an AssertionError with its stderr if it is not)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        if ready is not None:
            assert process.stdout.readline() == f"{ready}\n", process.stderr.read()
        time.sleep(delay_s)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=timeout_s)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, err
