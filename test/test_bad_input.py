"""Bad input to the command line: a clear message, the right exit code, no traceback, and
nothing analysed before an output that cannot be written is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import REPO_ROOT

COACH = str(REPO_ROOT / "scripts" / "coach")


def coach(*args: str | bytes, data_home=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **({"XDG_DATA_HOME": str(data_home)} if data_home else {}))
    return subprocess.run([COACH, *args], capture_output=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def empty_video(tmp_path_factory):
    import cv2

    path = tmp_path_factory.mktemp("video") / "nobody.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))
    for _ in range(12):
        writer.write(np.full((120, 160, 3), 90, np.uint8))
    writer.release()
    return path


@pytest.mark.parametrize("output, reason", [
    ("/proc/x.json", "cannot write /proc/x.json"),
    ("{tmp}/missing/x.json", "no folder"),
    ("{tmp}", "it is a folder"),
], ids=["in /proc", "missing folder", "a folder"])
def test_analyze_refuses_an_output_it_cannot_write_before_the_work(tmp_path, empty_video,
                                                                 output, reason):
    started = time.monotonic()
    result = coach("analyze", "--side", str(empty_video), "--json",
                   output.format(tmp=tmp_path))
    stderr = result.stderr.decode()
    assert result.returncode == 2 and reason in stderr, stderr
    assert "analyze [" not in stderr, "no frame was analysed"
    assert "Traceback" not in stderr
    assert time.monotonic() - started < 60


def test_analyze_says_when_nobody_is_in_the_video(tmp_path, empty_video):
    out = tmp_path / "out.json"
    result = coach("analyze", "--side", str(empty_video), "--json", str(out))
    stderr = result.stderr.decode()
    assert result.returncode == 1 and "no person found in any of 12 frames" in stderr, stderr
    assert not out.exists() and "Traceback" not in stderr


@pytest.mark.parametrize("value", ["-1", "0", "nan", "soon"])
def test_run_refuses_a_duration_that_is_not_a_positive_number(value):
    result = coach("run", "--duration", value)
    stderr = result.stderr.decode()
    assert result.returncode == 2 and "--duration" in stderr and "seconds" in stderr, stderr
    assert "Traceback" not in stderr and "starting" not in stderr


@pytest.mark.parametrize("command", [["ask"], ["kb", "search"]], ids=["ask", "kb search"])
def test_a_question_that_is_not_utf8_is_answered(tmp_path, command):
    result = coach(*command, b"\xff\xfe my knees cave in", "--json", data_home=tmp_path)
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stderr and b"knee" in result.stdout


@pytest.mark.parametrize("k", ["0", "-3", "101", "2.5"])
def test_kb_search_refuses_a_number_of_documents_out_of_range(k):
    result = coach("kb", "search", "knees", "-k", k)
    stderr = result.stderr.decode()
    assert result.returncode == 2 and "from 1 to 100 documents" in stderr, stderr
    assert "Traceback" not in stderr


def test_reference_build_refuses_an_output_it_cannot_write_before_the_work(empty_video):
    result = coach("reference", "build", "--side", str(empty_video), "-o", "/proc/ref.json")
    stderr = result.stderr.decode()
    assert result.returncode == 2 and "cannot write /proc/ref.json" in stderr, stderr
    assert "no person found" not in stderr, "refused before any frame was analysed"


def test_analyze_plays_an_image_folder_as_the_camera_node_does(tmp_path):
    import cv2

    folder = tmp_path / "frames"
    folder.mkdir()
    for index in range(3):
        cv2.imwrite(str(folder / f"{index:03d}.png"), np.full((120, 160, 3), 90, np.uint8))
    result = coach("analyze", "--side", str(folder), "--json", str(tmp_path / "out.json"))
    stderr = result.stderr.decode()
    assert result.returncode == 1 and "no person found in any of 3 frames" in stderr, stderr


@pytest.mark.parametrize("args, reason", [
    (["run", "--reps", "0"], "not a positive number of reps"),
    (["run", "--reps", "2.5"], "is not a whole number"),
    (["run", "--record", "{tmp}"], "it exists (a bag is written to a new folder)"),
    (["run", "--record", "{tmp}/no/such/bag"], "its folder does not exist"),
    (["run", "--reference", "{tmp}/missing.json"], "missing.json"),
    (["replay", "{tmp}"], "is not a rosbag2 bag (no metadata.yaml)"),
    (["replay", "{tmp}", "--rate", "0"], "rate"),
    (["replay", "{tmp}", "--rate", "inf"], "is not a number"),
], ids=["reps 0", "reps 2.5", "record into an existing folder", "record into no folder",
        "missing reference", "replay of a folder that is no bag", "replay rate 0",
        "replay rate inf"])
def test_run_and_replay_refuse_bad_input_before_any_node_starts(tmp_path, args, reason):
    result = coach(*[a.format(tmp=tmp_path) for a in args])
    stderr = result.stderr.decode()
    assert result.returncode == 2 and reason in stderr, stderr
    assert "Traceback" not in stderr and "[coach] starting" not in stderr


@pytest.fixture(scope="module")
def long_empty_video(tmp_path_factory):
    import cv2

    path = tmp_path_factory.mktemp("video") / "nobody_long.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (640, 480))
    frame = np.full((480, 640, 3), 90, np.uint8)
    for _ in range(1200):
        writer.write(frame)
    writer.release()
    return path


def test_ctrl_c_of_analyze_ends_it_quietly_with_130(long_empty_video):
    analyze = subprocess.Popen([COACH, "analyze", "--side", str(long_empty_video), "--json", "-"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = b""
        while b"analyze [" not in seen and analyze.poll() is None:
            seen += analyze.stderr.read1(4096)
        assert analyze.poll() is None, "it ended before it could be interrupted"
        analyze.send_signal(signal.SIGINT)
        _, rest = analyze.communicate(timeout=60)
    finally:
        if analyze.poll() is None:
            analyze.kill()
    stderr = (seen + rest).decode(errors="replace")
    assert analyze.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr


def test_ctrl_c_twice_stops_a_session_quietly_with_130(tmp_path):
    run = subprocess.Popen([COACH, "run", "--log-dir", str(tmp_path / "logs")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)),
                           start_new_session=True)
    try:
        for line in run.stdout:
            if "athlete seen" in line or "rep 1:" in line:
                break
        run.send_signal(signal.SIGINT)
        time.sleep(0.2)
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, out[-2000:] + err[-2000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    assert "\nsession: " in out, out
