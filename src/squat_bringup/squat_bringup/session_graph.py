"""The nodes of a live session and of a replay, with what each is given: one description for
`coach run` / `coach replay` and for the launch files (squat_coach.launch.py, replay.launch.py).
Imports no rclpy and no launch.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from squat_bringup.graph import NodeLaunch, choose_cameras, default_graph_file, load_graph
from squat_bringup.replay_settings import ReplaySettings
from squat_bringup.session_topics import SESSION_TOPICS
from squat_common.bag_reading import BagReadError, camera_views

RECORDER = ("squat_bringup", "session_recorder")
SPEECH = ("squat_feedback", "speech_node")
PLAYER = ("squat_bringup", "bag_player")
# What the front:=/side:= launch arguments and --front/--side take for the rendered athlete.
VIRTUAL = "virtual"


REPLAY_QUEUE_SIZE = 100


class SessionGraphError(RuntimeError):
    """A session that cannot be described as asked, with the reason."""


def _on_pose_node(nodes: list[NodeLaunch], **parameters: object) -> list[NodeLaunch]:
    return [replace(n, parameters={**n.parameters, **parameters})
            if n.executable == "pose_node" else n for n in nodes]


def _in_language(nodes: list[NodeLaunch], language: str | None) -> list[NodeLaunch]:
    # The session language is feedback_node's (its cues and rep feedback); none given: the
    # node's default, from the locale.
    if not language:
        return nodes
    return [replace(n, parameters={**n.parameters, "language": language})
            if n.executable == "feedback_node" else n for n in nodes]


def _analysing_what_is_recorded(nodes: list[NodeLaunch]) -> list[NodeLaunch]:
    # A session's pose_node analyses the JPEG stream a bag records, so that a replay of the
    # bag sees the very pixels the live session did and gives the same reps, faults, scores.
    return _on_pose_node(nodes, image_transport="compressed")


def reference_parameter(reference: str) -> str:
    """pose_node's reference_path for a reference as users give it (a file, 'builtin',
    'none'); SessionGraphError when the file does not load."""
    from squat_pose.reference import BUILTIN, ReferenceError, load_reference, reference_file

    path = {"none": "", BUILTIN: BUILTIN}.get(reference,
                                              str(Path(reference).expanduser().resolve()))
    try:
        if path:
            load_reference(reference_file(path))
    except ReferenceError as error:
        raise SessionGraphError(str(error)) from None
    return path


def calibration_parameter(calibration: Path) -> str:
    """pose_node's calibration_path for a rig calibration file as users give it;
    SessionGraphError when it cannot be used for the front and side cameras."""
    from squat_common.rig_calibration import CalibrationError, load_rig

    path = calibration.expanduser().resolve()
    try:
        load_rig(path, ("front", "side"))
    except CalibrationError as error:
        raise SessionGraphError(str(error)) from None
    return str(path)


def bag_folder(record: Path) -> Path:
    """Where a session is recorded: a new folder in an existing one."""
    bag = record.expanduser().resolve()
    if bag.exists() or not bag.parent.is_dir():
        raise SessionGraphError(
            f"cannot record to {record}: "
            f"{'it exists' if bag.exists() else 'its folder does not exist'} (a bag is "
            "written to a new folder)")
    return bag


def live_session(front: str | None, side: str | None, reference: str | None = None,
                 record: Path | None = None, graph_file: Path | None = None,
                 speak: bool = False, calibration: Path | None = None,
                 language: str | None = None) -> tuple[list[NodeLaunch], list[str]]:
    """The nodes of a live session and what was chosen for its cameras (as log lines); with
    `speak`, speech_node says the cues out loud; with the rig's `calibration`, pose_node
    judges in 3D; `language` ('en', 'ko') is the coaching's (default: the locale's)."""
    devices = {view: None if device in (None, "", VIRTUAL) else device
               for view, device in (("front", front), ("side", side))}
    nodes, notes = choose_cameras(load_graph(graph_file or default_graph_file()), devices)
    nodes = _in_language(_analysing_what_is_recorded(nodes), language)
    if reference is not None:
        nodes = _on_pose_node(nodes, reference_path=reference_parameter(reference))
    if calibration is not None:
        nodes = _on_pose_node(nodes, calibration_path=calibration_parameter(calibration))
    if record is not None:
        nodes = [*nodes, NodeLaunch(*RECORDER, parameters={"bag_path": str(bag_folder(record))},
                                     stops_last=True)]
    if speak:
        nodes = [*nodes, NodeLaunch(*SPEECH)]
    # Each camera holds its first frame until the pose node and the recorder both receive
    # it: a subscriber that DDS matched late missed the first half second, and a bag without
    # the frames the pose node analysed cannot be replayed as the session went.
    readers = sum(n.executable in ("pose_node", RECORDER[1]) for n in nodes)
    nodes = [replace(n, parameters={**n.parameters, "wait_for_subscribers": readers})
             if n.camera else n for n in nodes]
    return nodes, notes


def camera_check(front: str | None, side: str | None, graph_file: Path | None = None
                 ) -> tuple[list[NodeLaunch], list[str]]:
    """The nodes of `coach check-cameras`: a live session's cameras and pose node, nothing
    that coaches or records."""
    nodes, notes = live_session(front, side, graph_file=graph_file)
    return [n for n in nodes if n.camera or n.executable == "pose_node"], notes


def ros2_bag_record(bag: Path) -> list[str]:
    """The `ros2 bag record` command that records what session_recorder records (the launch
    file uses it where the ros2 CLI exists): MCAP, the session topics, the QoS each publisher
    offers (rosbag2 adapts to it)."""
    return ["ros2", "bag", "record", "--storage", "mcap", "--output", str(bag),
            *(topic.name for topic in SESSION_TOPICS)]


def replay_session(bag: Path, rate: float = ReplaySettings().rate, reference: str | None = None,
                   graph_file: Path | None = None, calibration: Path | None = None,
                   language: str | None = None) -> tuple[list[NodeLaunch], list[str]]:
    """The nodes of a replay: the bag in the cameras' place, the rest on the bag's clock
    (in 3D with the rig's `calibration`, coached in `language`)."""
    bag = bag.expanduser().resolve()
    try:
        views = camera_views(bag)
    except BagReadError as error:
        raise SessionGraphError(str(error)) from None
    if not views:
        raise SessionGraphError(f"{bag} holds no camera frames to replay")
    nodes = [replace(n, parameters={**n.parameters, "use_sim_time": True})
             for n in _analysing_what_is_recorded(load_graph(graph_file or default_graph_file()))
             if not n.camera]
    # Live, a pose node that falls behind drops pairs to stay current; a replay is played
    # only the pairs the live one analysed, and every one of them counts.
    nodes = _in_language(_on_pose_node(nodes, processing_queue_size=REPLAY_QUEUE_SIZE),
                         language)
    if reference is not None:
        nodes = _on_pose_node(nodes, reference_path=reference_parameter(reference))
    if calibration is not None:
        nodes = _on_pose_node(nodes, calibration_path=calibration_parameter(calibration))
    player = NodeLaunch(*PLAYER, parameters={"bag_path": str(bag), "rate": rate})
    return [*nodes, player], [f"replaying {', '.join(views)} from {bag} at {rate:g}x"]
