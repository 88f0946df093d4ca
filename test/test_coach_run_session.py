"""`scripts/coach run` as a person meets it: the session shown rep by rep, a summary, the nodes'
chatter kept in the log folder, and no node left behind however the run ends."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import REPO_ROOT, SHARED_DATA, needs_footage
from helpers.chromium import CHROMIUM, report_ink, screenshot
from helpers.ros2_run import ros2_run
from squat_feedback.cue_policy import CUE_TEXT
from squat_msgs.srv import AskCoach

PARAMS = """\
/**/virtual_camera_node:
  ros__parameters:
    athlete:
      faults: knee_valgus@2,4
"""


def start_run(tmp_path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(REPO_ROOT / "scripts" / "coach"), "run", "--log-dir", str(tmp_path / "logs"),
         *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)), start_new_session=True)


def build_index(tmp_path: Path) -> None:
    """The knowledge index built in the test's data home before a session that counts every
    rep: built inside the session it takes a core for half a minute, and on 2 cores the
    cameras then render a third of their frames (whole reps go by unseen)."""
    built = subprocess.run([str(REPO_ROOT / "scripts" / "coach"), "kb", "index"],
                           capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)))
    assert built.returncode == 0, built.stderr


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == pid:
            found.append(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Lines:
    """A process's stdout, line by line, as it comes."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self._queue.put(line) for line in process.stdout],
                         daemon=True).start()

    def wait_for(self, pattern: str, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in {timeout_s} s: {self.seen}")


def test_a_recorded_session_on_the_virtual_athlete_shows_each_rep_and_ends_by_itself(
        tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text(PARAMS)
    bag = tmp_path / "session_bag"
    build_index(tmp_path)
    run = start_run(tmp_path, "--params-file", str(params), "--record", str(bag))
    try:
        out, err = run.communicate(timeout=240)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 0, out[-3000:] + err[-3000:]
    reps = re.findall(r"^rep (\d+): .*faults: (.*)$", out, re.MULTILINE)
    assert [int(index) for index, _ in reps] == [1, 2, 3, 4, 5], out
    valgus = [int(index) for index, faults in reps if "knee valgus" in faults]
    assert valgus == [2, 4], out
    # Every rep is coached, with the sources it rests on (the first feedback may come after
    # the next rep's line: it waits for the knowledge index).
    blocks = re.findall(r"^  coach: Rep (\d+)\b.*\n(?:  coach: .*\n)*  sources: \S", out,
                        re.MULTILINE)
    assert sorted(int(i) for i in blocks) == [1, 2, 3, 4, 5], out
    assert "[coach] the cameras have no more frames" in out
    assert re.search(r"^session: 5 reps, mean score \d+ \(5 scored\), feedback on 5$", out,
                     re.MULTILINE), out
    assert "  knee valgus: reps 2, 4" in out
    # Short cues under the rep lines, at most one a rep: the valgus one for rep 2 (valgus is
    # its most important fault). Which other reps get one depends on what else was read: the
    # policy itself is tested in test_cue_policy.py and through feedback_node.
    cues = re.findall(r"^  cue: (.*)$", out, re.MULTILINE)
    assert 1 <= len(cues) <= 5 and set(cues) <= set(CUE_TEXT["en"].values()), out
    assert "Push your knees out over your toes." in cues, out
    assert f"  logs: {tmp_path / 'logs'}" in out
    # MediaPipe's and TFLite's chatter goes to the log folder, not to the console.
    console = out + err
    assert "TensorFlow Lite" not in console and "W0000" not in console, console[-3000:]
    assert "TensorFlow Lite" in (tmp_path / "logs" / "pose_node.log").read_text()
    assert f"  bag: {bag}" in out
    check_bag(bag, valgus_reps=[2, 4])
    check_report(bag, out, tmp_path)
    # The recorded session is an answer sheet too: the athlete's five reps.
    built = subprocess.run(
        [str(REPO_ROOT / "scripts" / "coach"), "reference", "build", "--bag", str(bag), "-o",
         str(tmp_path / "from_session.json")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    assert "5 rep(s)" in built.stderr and "views front, side" in built.stderr, built.stderr

    # Replayed through a fresh pose and feedback node, the bag gives the same session: even
    # played 20 times faster than the pose node can analyse, each pair waits for the one before.
    replay = subprocess.run(
        [str(REPO_ROOT / "scripts" / "coach"), "replay", str(bag), "--rate", "20", "--log-dir",
         str(tmp_path / "replay_logs")], capture_output=True, text=True, timeout=240,
        env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)))
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-3000:]
    live, replayed = rep_lines(out), rep_lines(replay.stdout)
    print("live:", live, "\nreplayed:", replayed)
    # The same pairs of the same JPEG frames through a fresh pose node: the same session.
    assert [(r[0], r[2]) for r in replayed] == [(r[0], r[2]) for r in live], replay.stdout
    assert all(abs(a[1] - b[1]) <= 1 for a, b in zip(live, replayed, strict=True)), (
        live, replayed)
    assert "[coach] the cameras have no more frames" in replay.stdout
    assert re.search(r"^session: 5 reps, .* feedback on 5$", replay.stdout, re.MULTILINE)


def rep_lines(out: str) -> list[tuple[int, float, str]]:
    """(rep, score, fault codes) of each rep line."""
    return [(int(index), float(score), re.sub(r" \(\w+\)", "", faults))
            for index, score, faults in re.findall(
                r"^rep (\d+): .*score (\d+), faults: (.*)$", out, re.MULTILINE)]


def check_bag(bag: Path, valgus_reps: list[int]) -> None:
    """The bag holds every session topic, with the reps and feedback the console showed."""
    import yaml
    from diagnostic_msgs.msg import DiagnosticArray
    from rclpy.serialization import deserialize_message
    from rosbags.rosbag2 import Reader

    from squat_bringup.session_topics import SESSION_TOPICS
    from squat_msgs.msg import Feedback, RepSummary

    metadata = yaml.safe_load((bag / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
    assert metadata["version"] == 9 and metadata["storage_identifier"] == "mcap"
    hashes = {t["topic_metadata"]["name"]: t["topic_metadata"]["type_description_hash"]
              for t in metadata["topics_with_message_count"]}
    assert all(h.startswith("RIHS01_") for h in hashes.values()), hashes
    types = {"/squat/rep": RepSummary, "/squat/feedback": Feedback,
             "/diagnostics": DiagnosticArray}
    decoded: dict[str, list] = {topic: [] for topic in types}
    with Reader(bag) as reader:
        counts = {c.topic: c.msgcount for c in reader.connections}
        expected = {t.name for t in SESSION_TOPICS if t.name != "/tf_static"}
        assert expected <= set(counts), sorted(expected - set(counts))
        # rclpy reads what rosbags wrote.
        for connection, _, data in reader.messages(
                [c for c in reader.connections if c.topic in types]):
            decoded[connection.topic].append(deserialize_message(data, types[connection.topic]))
    reps = decoded["/squat/rep"]
    assert [r.rep_index for r in reps] == [1, 2, 3, 4, 5]
    assert [r.rep_index for r in reps if any(f.code == "knee_valgus" for f in r.faults)] == (
        valgus_reps)
    assert sorted(f.rep_index for f in decoded["/squat/feedback"]) == [1, 2, 3, 4, 5]
    processed = [int(v.value) for array in decoded["/diagnostics"] for status in array.status
                 if status.name.startswith("pose_node") for v in status.values
                 if v.key == "pairs_processed"]
    # Every state pose_node said it published is in the bag (it reports once a second).
    assert processed and counts["/squat/state"] >= processed[-1], (counts, processed[-1:])
    assert counts["/front/image_raw/compressed"] >= counts["/squat/state"] * 0.9, counts


def check_report(bag: Path, out: str, tmp_path: Path) -> None:
    """The report written at the end of the run: a row per rep, the faulty ones marked, the
    curves and pictures; and it shows in Chromium."""
    report = bag / "report.html"
    assert f"  report: {report}" in out, out
    page = report.read_text()
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>", 1)[1].split("</tbody>")[0],
                      re.DOTALL)
    assert len(rows) == 5
    assert [i + 1 for i, row in enumerate(rows) if "knee valgus (" in row] == [2, 4]
    assert page.count("data:image/png;base64,") == 1
    assert page.count("data:image/jpeg;base64,") == 10
    if CHROMIUM is not None:
        rows_with_ink, athlete, reference = report_ink(screenshot(report, tmp_path / "r.png"))
        assert rows_with_ink > 0.3 and athlete > 500 and reference > 300, (
            rows_with_ink, athlete, reference)


@contextmanager
def running(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen, Lines]]:
    """`coach run` with its stdout read line by line; killed with its group if still up."""
    run = start_run(tmp_path, *args)
    try:
        yield run, Lines(run)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)


def test_reps_end_a_session_and_ctrl_c_stops_it_with_the_summary_so_far(tmp_path):
    with running(tmp_path, "--reps", "1") as (run, lines):
        lines.wait_for(r"^rep 1: ", 120)
        lines.wait_for(r"^\[coach\] 1 rep done$", 60)
        lines.wait_for(r"^session: 1 rep, ", 30)
        assert run.wait(timeout=30) == 0, run.stderr.read()[-2000:]

    with running(tmp_path) as (run, lines):
        lines.wait_for(r"athlete seen: front yes, side yes", 120)
        nodes = children_of(run.pid)
        assert len(nodes) == 4, nodes
        run.send_signal(signal.SIGINT)
        lines.wait_for(r"^\[coach\] stopped$", 30)
        lines.wait_for(r"^session: 0 reps", 30)
        assert run.wait(timeout=30) == 130
    assert not [pid for pid in nodes if alive(pid)]


@pytest.mark.parametrize("executable, namespace, label", [
    ("pose_node", "", "pose_node"), ("feedback_node", "", "feedback_node"),
    ("virtual_camera_node", "front", "front/virtual_camera_node")],
    ids=["pose_node", "feedback_node", "front camera"])
def test_a_node_killed_while_recording_leaves_a_bag_with_everything_until_then(
        tmp_path, executable, namespace, label):
    bag = tmp_path / "session_bag"
    with running(tmp_path, "--record", str(bag)) as (run, lines):
        lines.wait_for(r"^rep 2: ", 180)
        os.kill(node_pid(run, executable, namespace), signal.SIGKILL)
        lines.wait_for(r"^session: ", 60)
        report = lines.wait_for(r"^  report: ", 60)
        run.wait(timeout=30)
        shown = run.stderr.read()
    assert run.returncode != 0, shown[-2000:]
    # Which node failed is said, with the end of its log.
    assert f"[coach] {label} exited with -9" in shown, shown[-2000:]
    from rclpy.serialization import deserialize_message
    from rosbags.rosbag2 import Reader

    from squat_msgs.msg import RepSummary, SquatState

    with Reader(bag) as reader:
        counts = {c.topic: c.msgcount for c in reader.connections}
        decoded = {topic: [deserialize_message(data, kind) for _, _, data in reader.messages(
            [c for c in reader.connections if c.topic == topic])]
            for topic, kind in (("/squat/rep", RepSummary), ("/squat/state", SquatState))}
    # Every rep the console showed before the kill is in the bag, with the states that led
    # to them, and the camera frames they were analysed from (and those after).
    shown = [int(m) for m in re.findall(r"^rep (\d+): ", "".join(lines.seen), re.MULTILINE)]
    reps = [rep.rep_index for rep in decoded["/squat/rep"]]
    assert reps[:len(shown)] == shown and shown[:2] == [1, 2], (reps, shown)
    assert max(state.rep_count for state in decoded["/squat/state"]) >= 2, counts
    assert counts["/front/image_raw/compressed"] >= counts["/squat/state"], counts
    assert report.strip() == f"report: {bag / 'report.html'}"


def node_pid(run: subprocess.Popen, executable: str, namespace: str = "") -> int:
    """The pid of one node `coach run` started."""
    found = []
    for pid in children_of(run.pid):
        args = [arg.decode() for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
        named = executable in (Path(arg).name for arg in args[:2])
        if named and (not namespace or f"__ns:=/{namespace}" in args):
            found.append(pid)
    assert len(found) == 1, (executable, namespace, found)
    return found[0]


def start_time_of(pid: int) -> float:
    """The shared start time (`start_time`, seconds) `coach run` gave a camera node."""
    args = [arg.decode() for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
    return float(next(arg for arg in args if arg.startswith("start_time:=")).split(":=")[1])


def test_a_camera_lost_mid_rep_drops_that_rep_and_the_session_goes_on(tmp_path):
    from squat_virtual_athlete.motion import SquatProgram
    from squat_virtual_athlete.spec import AthleteSpec

    # The athlete's own timeline, not the pose node's output (late by a varying amount under
    # load), says when rep 3 is under way: the front camera freezes most of the way down (long
    # past phases.descent_start_deg, however few frames a busy machine renders before) and is
    # back just before rep 4 begins, the athlete standing: a gap well over
    # phases.frame_gap_s that holds no other rep.
    program = SquatProgram(AthleteSpec())
    third, fourth = program.reps[2], program.reps[3]
    build_index(tmp_path)
    with running(tmp_path) as (run, lines):
        lines.wait_for(r"athlete seen: front yes, side yes", 120)
        front = node_pid(run, "virtual_camera_node", "front")
        start = start_time_of(front)
        freeze_at = start + third.start_s + 0.8 * (third.bottom_s - third.start_s)
        back_at = start + fourth.start_s - 0.1
        assert time.time() < freeze_at, "the cameras came up after rep 3 had begun"
        time.sleep(freeze_at - time.time())
        # Nothing from the front camera, as an unplugged one would do (frozen, then on again
        # where the athlete is by then).
        os.kill(front, signal.SIGSTOP)
        time.sleep(back_at - time.time())
        os.kill(front, signal.SIGCONT)
        lines.wait_for(r"^session: ", 120)
        code = run.wait(timeout=60)
        shown = run.stderr.read()
    out = "".join(lines.seen)
    assert code == 0, out + shown
    # Said where the trainer looks (node warnings show on the console) and in the log.
    said = r"\[pose_node\] \[WARN\] .* rep 3 dropped: no usable front/side pair for [2-9]\.\d s"
    assert re.search(said, shown), out + shown
    # The cut rep is not judged on what was left of it; the two after it count whole.
    reps = re.findall(r"^rep (\d+): .*, down (\d+\.\d) s,", out, re.MULTILINE)
    assert [int(index) for index, _ in reps] == [1, 2, 3, 4], out
    assert all(1.2 <= float(descent) <= 2.2 for _, descent in reps), reps
    assert re.search(r"^session: 4 reps, ", out, re.MULTILINE), out


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_no_node_outlives_coach_run(tmp_path, how):
    with running(tmp_path) as (run, lines):
        lines.wait_for(r"athlete seen: front yes, side yes", 120)
        nodes = children_of(run.pid)
        assert len(nodes) == 4, nodes
        run.send_signal(how)
        run.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in nodes) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in nodes if alive(pid)], "nodes outlived coach run"


def test_a_second_session_on_the_same_domain_is_refused_before_it_starts(spawn, listen,
                                                                          tmp_path):
    spawn(ros2_run("squat_feedback", "feedback_node", "-p",
                   f"qdrant_path:={tmp_path / 'qdrant'}"))
    listener = listen([])
    client = listener.node.create_client(AskCoach, "squat/ask_coach")
    listener.spin(90, client.service_is_ready)
    assert client.service_is_ready(), "feedback_node did not come up"
    second = subprocess.run(
        [str(REPO_ROOT / "scripts" / "coach"), "run", "--duration", "30", "--log-dir",
         str(tmp_path / "logs")], capture_output=True, text=True, timeout=120,
        env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)))
    assert second.returncode == 2, second.stdout + second.stderr
    assert "another squat coach session is running on ROS domain" in second.stderr
    assert "(feedback_node is up)" in second.stderr
    assert "[coach] starting" not in second.stderr and "Traceback" not in second.stderr


@needs_footage
def test_real_footage_as_the_two_cameras_gives_its_two_reps(tmp_path):
    user = SHARED_DATA / "user"
    run = subprocess.run(
        [str(REPO_ROOT / "scripts" / "coach"), "run", "--front", str(user / "user_front.mp4"),
         "--side", str(user / "user_side.mp4"), "--log-dir", str(tmp_path / "logs")],
        capture_output=True, text=True, timeout=240,
        env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"front camera: {user / 'user_front.mp4'}" in run.stderr
    assert [i for i, _, _ in rep_lines(run.stdout)] == [1, 2], run.stdout
    assert "[coach] the cameras have no more frames" in run.stdout
    assert re.search(r"^session: 2 reps, mean score \d+ \(2 scored\), feedback on 2$",
                     run.stdout, re.MULTILINE), run.stdout
