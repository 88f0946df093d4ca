"""`coach run`: starts the node graph as processes, shows the session, and stops them together.

Where `ros2 launch` exists the launch file starts the same graph; this runner is the path for
machines without the launch system (PyPI wheels), and the one that prints the session. Each
node's output goes to its log file in the session's log folder; its warnings and errors are
shown too. The nodes die with the runner, even when it is killed (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from squat_bringup.graph import NodeLaunch, ros_arguments, started_at
from squat_bringup.session_summary import SessionSummary, view_lines

STOP_GRACE_S = 5.0
# How long the cameras wait for the pose node to listen, and then how far ahead their shared
# start time lies: a virtual camera takes 1.6 s to come up on an idle machine and more on a busy
# one, and frames due before it is up are skipped (the athlete stands 1.5 s before rep 1).
POSE_NODE_WAIT_S = 60.0
CAMERA_LEAD_S = 4.0
# After the last camera's last frame, pose_node still finishes what it has queued.
SETTLE_S = 3.0
# How long a finished rep waits for its feedback (a slow LLM) before the session ends anyway.
FEEDBACK_GRACE_S = 30.0
SHOWN = re.compile(r"^\[(WARN|ERROR|FATAL)\]")
LOG_TAIL_LINES = 15
# Nodes of which one session has one, by what they serve: a second on the domain is another
# session.
SINGLETON_NODES = {"pose_node": ("publisher", "/squat/state"),
                   "feedback_node": ("service", "/squat/ask_coach")}
# How long DDS gets to show a running session's nodes: 2 s missed one on a loaded machine.
DISCOVERY_S = 4.0
INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C
CAMERAS_TO_MOVE = 1  # `coach check-cameras`: a camera does not see all it should
_PR_SET_PDEATHSIG = 1


def _stop(started: list[tuple[NodeLaunch, subprocess.Popen]]) -> None:
    """Stop nodes together with SIGINT; kill those still running after STOP_GRACE_S."""
    for _, process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + STOP_GRACE_S
    for node, process in started:
        try:
            process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            print(f"[coach] {node.label} did not stop within {STOP_GRACE_S:g} s: killed",
                  file=sys.stderr)
            process.kill()
            process.wait()


class RunnerError(RuntimeError):
    """A node that cannot be started, with the reason."""


@dataclass(frozen=True)
class SessionPlan:
    """When the session ends, and how much it says."""

    duration_s: float | None = None
    reps: int | None = None
    quiet: bool = False
    bag: Path | None = None  # where the session is recorded, if it is
    # `coach check-cameras`: end once pose_node has said this long how the cameras see the
    # athlete, and print that instead of a summary.
    check_views_s: float | None = None


def executable_path(node: NodeLaunch) -> Path:
    """Where colcon installed the node's executable (lib/<package>/<executable>)."""
    try:
        from ament_index_python.packages import get_package_prefix

        prefix = Path(get_package_prefix(node.package))
    except (ImportError, LookupError, OSError) as error:
        raise RunnerError(f"package {node.package} is not installed (source "
                          "scripts/env.sh, or run scripts/setup)") from error
    path = prefix / "lib" / node.package / node.executable
    if not os.access(path, os.X_OK):
        raise RunnerError(f"{path} is missing or not executable")
    return path


def default_log_folder() -> Path:
    """A new folder for this session's logs under $ROS_HOME (~/.ros)/squat_coach/sessions."""
    home = Path(os.environ.get("ROS_HOME") or Path.home() / ".ros")
    return home / "squat_coach" / "sessions" / time.strftime("%Y%m%d-%H%M%S")


def say(line: str) -> None:
    """A line of the session on stdout, at once: a pipe (`coach run | tee`) must not hold it
    back until the end."""
    print(line, flush=True)


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: the kernel sends SIGTERM when the runner dies.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:  # the runner died before the line above took effect
        os._exit(1)


# Ctrl-C and SIGTERM are noted here and acted on between the monitor's spins: a
# KeyboardInterrupt raised inside rclpy's message conversion comes out as a RuntimeError.
_stop_requested = threading.Event()


def _request_stop(signum: int, frame: object) -> None:
    _stop_requested.set()


def _copy_output(stream: IO[str], log: IO[str], label: str) -> None:
    for line in stream:
        log.write(line)
        log.flush()
        if SHOWN.match(line):
            print(f"[{label}] {line.rstrip()}", file=sys.stderr, flush=True)


def _log_name(node: NodeLaunch) -> str:
    return node.label.replace("/", "_") + ".log"


def _print_tail(path: Path, label: str) -> None:
    lines = path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
    print(f"[coach] {label}'s last lines ({path}):", file=sys.stderr)
    for line in lines:
        print(f"  {line}", file=sys.stderr)


def session_over(summary: SessionSummary, cameras_done_at: float | None, last_news: float,
                 now: float) -> str | None:
    """Why the session is over at `now` (monotonic s), or None while it goes on: the reps
    asked for are done, or the cameras have no more frames, and the feedback has come (or
    FEEDBACK_GRACE_S have passed without news)."""
    feedback_settled = (not summary.waiting_for_feedback
                        or now - last_news >= FEEDBACK_GRACE_S)
    if summary.full and feedback_settled:
        return f"{summary.max_reps} rep{'s' if summary.max_reps != 1 else ''} done"
    if (cameras_done_at is not None and now - cameras_done_at >= SETTLE_S
            and now - last_news >= SETTLE_S and feedback_settled):
        return "the cameras have no more frames"
    return None


def refuse_a_second_session(nodes: list[NodeLaunch]) -> None:
    """RunnerError when a node of `nodes` that a session has one of is already up on this ROS
    domain: two sessions would publish on the same topics (and share one index lock)."""
    monitor = _Monitor(lambda _line: None, quiet=True, max_reps=None)
    _stop_requested.clear()
    previous_int = signal.signal(signal.SIGINT, _request_stop)
    try:
        other = monitor.session_already_running([n.executable for n in nodes])
    finally:
        signal.signal(signal.SIGINT, previous_int)
        monitor.close()
    if other:
        domain = os.environ.get("ROS_DOMAIN_ID", "0")
        raise RunnerError(f"another squat coach session is running on ROS domain {domain} "
                          f"({other} is up): stop it first, or give this one another "
                          "ROS_DOMAIN_ID")


def run_graph(nodes: list[NodeLaunch], params_file: Path | None = None,
              plan: SessionPlan = SessionPlan(), log_folder: Path | None = None,
              out: Callable[[str], None] | None = None) -> int:
    """Run every node (with `params_file`), printing the session to `out`, until it is over
    (`plan`, or the cameras have no more frames), Ctrl-C or SIGTERM, or a node exits; then the
    summary. Returns the worst exit code of the nodes (0 when they were stopped), or
    INTERRUPTED after Ctrl-C or SIGTERM."""
    out = out or say
    for node in nodes:
        executable_path(node)  # every node must exist before any starts
    log_folder = log_folder or default_log_folder()
    try:
        log_folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RunnerError(f"cannot make the log folder {log_folder}: {error.strerror}") from None
    env = dict(os.environ, ROS_LOG_DIR=str(log_folder), PYTHONUNBUFFERED="1")
    processes: list[subprocess.Popen] = []
    started_nodes: list[NodeLaunch] = []
    copiers: list[threading.Thread] = []
    logs: list[IO[str]] = []
    monitor = None
    interrupted = False
    cameras_good = False

    def start(node: NodeLaunch) -> None:
        print(f"[coach] starting {node.label}", file=sys.stderr)
        log = open(log_folder / _log_name(node), "w")  # noqa: SIM115 (closed below)
        logs.append(log)
        command = [str(executable_path(node)), *ros_arguments(node, params_file)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, env=env, preexec_fn=_die_with_parent,
                                   errors="replace")
        processes.append(process)
        started_nodes.append(node)
        copier = threading.Thread(target=_copy_output, args=(process.stdout, log, node.label),
                                  daemon=True)
        copier.start()
        copiers.append(copier)

    # A service manager or a test stops the runner with SIGTERM: the nodes must stop with it.
    _stop_requested.clear()
    previous = signal.signal(signal.SIGTERM, _request_stop)
    previous_int = signal.signal(signal.SIGINT, _request_stop)
    try:
        monitor = _Monitor(out, plan.quiet, plan.reps)
        cameras = [node for node in nodes if node.camera]
        for node in nodes:
            if not node.camera:
                start(node)
        # The cameras start once the pose node listens (MediaPipe takes seconds to load), so
        # the athlete's or a file's first frames are not played to nobody.
        if cameras and any(node.executable == "pose_node" for node in nodes):
            deadline = time.monotonic() + POSE_NODE_WAIT_S
            while (not all(monitor.pose_node_listens(node.namespace) for node in cameras)
                   and all(p.poll() is None for p in processes)
                   and time.monotonic() < deadline):
                monitor.spin_once(0.1)
        start_s = time.time() + CAMERA_LEAD_S
        for node in cameras:
            start(started_at(node, start_s))
        started = time.monotonic()
        cameras_done_at = None
        while all(p.poll() is None for p in processes):
            monitor.spin_once(0.1)
            now = time.monotonic()
            if plan.duration_s is not None and now - started >= plan.duration_s:
                out(f"[coach] {plan.duration_s:g} s are up")
                break
            since = monitor.node.views_since
            if plan.check_views_s is not None and since is not None and \
                    now - since >= plan.check_views_s:
                break
            if cameras_done_at is None and monitor.node.cameras_finished:
                cameras_done_at = now
            reason = session_over(monitor.node.summary, cameras_done_at,
                                  monitor.node.last_news, now)
            if reason:
                out(f"[coach] {reason}")
                break
        for node, process in zip(started_nodes, processes, strict=True):
            if process.poll() is not None:
                print(f"[coach] {node.label} exited with {process.returncode}",
                      file=sys.stderr)
    except KeyboardInterrupt:
        interrupted = True
        out("[coach] stopped")
    finally:
        # A second Ctrl-C must not cut the stop short (STOP_GRACE_S at most, twice when a
        # recorder stops after the others).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for last in (False, True):
            _stop([(node, process) for node, process in zip(started_nodes, processes,
                                                            strict=True)
                   if node.stops_last == last])
        for copier in copiers:
            copier.join(timeout=2.0)
        for log in logs:
            log.close()
        if monitor is not None:
            if plan.check_views_s is not None:
                cameras_good = monitor.node.views_good
                for line in (view_lines(monitor.node.views) if monitor.node.views
                             else ["no camera view was judged: is the athlete in front of "
                                   "the cameras?"]):
                    out(line)
            elif processes:
                bag = str(plan.bag) if plan.bag else None
                for line in monitor.node.summary.lines(str(log_folder), bag):
                    out(line)
                if plan.bag is not None:
                    # Here, not at the top: the report draws with matplotlib, slow to import.
                    from squat_bringup.recorded_session import finish_recording

                    for line in finish_recording(plan.bag):
                        out(line)
            monitor.close()
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    codes = [p.returncode for p in processes]
    for node, code in zip(started_nodes, codes, strict=True):
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):
            _print_tail(log_folder / _log_name(node), node.label)
    if interrupted:
        return INTERRUPTED
    # A node stopped by our own SIGINT at the end of the run is a clean stop.
    # A node ended by a signal exits as a shell reports it (128 + the signal), not as -N & 255.
    worst = max((128 - c if c < 0 else c for c in codes if c not in (0, -signal.SIGINT)),
                default=0)
    if plan.check_views_s is not None and worst == 0 and not cameras_good:
        return CAMERAS_TO_MOVE
    return worst


class _Monitor:
    """The session monitor node on its own context and executor, spun by the runner's loop."""

    def __init__(self, out: Callable[[str], None], quiet: bool, max_reps: int | None) -> None:
        import rclpy
        from rclpy.executors import SingleThreadedExecutor
        from rclpy.signals import SignalHandlerOptions

        from squat_bringup.session_monitor import SessionMonitor

        self._rclpy = rclpy
        self._context = rclpy.Context()
        # Ctrl-C belongs to the runner (it stops the nodes and prints the summary).
        rclpy.init(args=[], context=self._context,
                   signal_handler_options=SignalHandlerOptions.NO)
        self.node = SessionMonitor(out, quiet, max_reps, context=self._context)
        self._executor = SingleThreadedExecutor(context=self._context)
        self._executor.add_node(self.node)

    def session_already_running(self, executables: list[str]) -> str | None:
        """The name of a node of this graph that is already up on the ROS graph, if any
        (after waiting DISCOVERY_S for DDS to find it). Found by what it serves (endpoint
        discovery), not by node names, which DDS spreads later."""
        wanted = {name: endpoint for name, endpoint in SINGLETON_NODES.items()
                  if name in executables}
        deadline = time.monotonic() + DISCOVERY_S
        while time.monotonic() < deadline:
            self.spin_once(0.1)
            services = {name for name, _ in self.node.get_service_names_and_types()}
            for name, (kind, endpoint) in sorted(wanted.items()):
                if (endpoint in services if kind == "service"
                        else self.node.count_publishers(endpoint) > 0):
                    return name
        return None

    def pose_node_listens(self, camera_namespace: str) -> bool:
        """Whether pose_node subscribes to the camera's images (raw or compressed)."""
        base = f"/{camera_namespace}/image_raw"
        return any(info.node_name == "pose_node"
                   for topic in (base, f"{base}/compressed")
                   for info in self.node.get_subscriptions_info_by_topic(topic))

    def spin_once(self, timeout_s: float) -> None:
        """One turn of the monitor's executor; KeyboardInterrupt once a stop was asked for."""
        self._executor.spin_once(timeout_sec=timeout_s)
        if _stop_requested.is_set():
            raise KeyboardInterrupt

    def close(self) -> None:
        self._executor.shutdown()
        self.node.destroy_node()
        self._rclpy.try_shutdown(context=self._context)
