"""The trainer view without rqt: `ros2 run squat_rqt trainer` and `coach trainer`.

    trainer [--namespace NS] [--screenshot PNG --duration S]

Its own node is spun on a worker thread by one SingleThreadedExecutor while Qt runs the main
thread. With --screenshot the window is grabbed after S seconds into PNG and the app exits
(for checks and documentation).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path

import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor

from squat_common.cli_numbers import number
from squat_common.output_files import unwritable_reason
from squat_rqt.trainer_data import TrainerData
from squat_rqt.trainer_model import TrainerModel, TrainerSettings

_seconds = number(float, above=0.0, what="a positive number of seconds")


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="trainer",
                                               description="The squat coach trainer view.")
    parser.add_argument("--namespace", default="",
                        help="namespace of the squat coach graph (default: the root)")
    parser.add_argument("--screenshot", type=Path, metavar="PNG",
                        help="grab the window into this PNG after --duration seconds, then "
                             "exit")
    parser.add_argument("--duration", type=_seconds, default=None,
                        help="seconds to run (with --screenshot: when to grab; default 10)")
    parser.add_argument("--size", default="1280x900", help="window size WxH")
    return parser


def run(args: argparse.Namespace) -> int:
    """Show the trainer view until it is closed (or --duration is up)."""
    if args.screenshot is not None and (problem := unwritable_reason(args.screenshot)):
        print(f"trainer: {problem}", file=sys.stderr)
        return 2
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print(f"trainer: --size takes WxH, e.g. 1280x900, not {args.size!r}", file=sys.stderr)
        return 2
    if not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        if args.screenshot is None:
            # Qt aborts the process when it finds no display: say so instead.
            print("trainer: no display (DISPLAY is not set); --screenshot PNG renders "
                  "offscreen", file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from python_qt_binding.QtCore import QTimer
    from python_qt_binding.QtWidgets import QApplication

    from squat_rqt.trainer_widget import TrainerWidget

    app = QApplication.instance() or QApplication(sys.argv[:1])
    context = rclpy.Context()
    rclpy.init(args=[], context=context)
    node = rclpy.create_node("trainer", context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    spinner = threading.Thread(target=_spin, args=(executor,), daemon=True)
    spinner.start()
    widget = TrainerWidget(TrainerData(node, TrainerModel(TrainerSettings(
        namespace=args.namespace.rstrip("/"))), args.namespace.rstrip("/")))
    widget.resize(width, height)
    widget.show()
    duration = args.duration or (10.0 if args.screenshot else None)
    if duration is not None:
        def finish() -> None:
            if args.screenshot is not None:
                widget.refresh()
                widget.grab().save(str(args.screenshot))
                print(f"trainer: window saved to {args.screenshot}", file=sys.stderr)
            app.quit()

        QTimer.singleShot(int(duration * 1000), finish)
    # Ctrl-C closes the window: Qt's loop does not return to Python until an event comes.
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    ticker = QTimer()
    ticker.timeout.connect(lambda: None)
    ticker.start(200)
    try:
        app.exec_()
    finally:
        widget.shutdown()
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown(context=context)
        spinner.join(timeout=2.0)
    return 0


def _spin(executor: SingleThreadedExecutor) -> None:
    with contextlib.suppress(ExternalShutdownException):  # the window closed first
        executor.spin()


def main(argv: list[str] | None = None) -> int:
    """`ros2 run squat_rqt trainer`."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
