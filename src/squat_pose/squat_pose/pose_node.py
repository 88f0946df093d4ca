"""pose_node: MediaPipe on synchronised front/side pairs; angles, phase, reps and faults.

Pairs of image_raw (or, with image_transport compressed, image_raw/compressed) frames come from
the synchroniser seam (message_filters where installed). Each pair is analysed
on a worker thread; when it falls behind by more than processing_queue_size pairs, the oldest
waiting pair is dropped and counted.
Publishes ~/front/keypoints, ~/side/keypoints, squat/state, squat/rep, squat/overlay/{front,side},
squat/markers and /diagnostics (1 Hz). With a rig calibration (calibration_path), every measure
comes from the landmarks triangulated from both views, published on squat/landmarks_3d and drawn
on squat/markers in the calibration's world frame.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from rclpy.parameter import Parameter
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header
from visualization_msgs.msg import MarkerArray

from squat_common.diagnostics import DIAGNOSTICS_TOPIC, VIEWS_STATUS, diagnostics
from squat_common.image_bridge import image_bridge
from squat_common.image_conversion import decode_compressed
from squat_common.newest_queue import NewestQueue
from squat_common.node_runner import join_within, run_node
from squat_common.parameters import NodeParameters
from squat_common.qos import REFERENCE_QOS, REP_QOS, SENSOR_QOS
from squat_common.rig_calibration import CalibrationError, RigCalibration, load_rig
from squat_common.stamps import stamp_ns, stamp_s, time_from_s
from squat_msgs.msg import Landmarks3D, PoseKeypoints, ReferenceSummary, RepSummary, SquatState
from squat_msgs.srv import SetReference
from squat_pose.analysis import SquatAnalyzer
from squat_pose.input_gaps import InputGaps
from squat_pose.markers import landmark_markers, skeleton_markers
from squat_pose.node_settings import PoseNodeSettings
from squat_pose.overlay import draw_overlay
from squat_pose.pose_estimation import MultiViewEstimator
from squat_pose.reference import Reference, ReferenceError, load_reference, reference_file
from squat_pose.reference_scorer import NO_SCORE, ReferenceScorer
from squat_pose.state_messages import (
    landmarks_3d,
    pose_keypoints,
    reference_summary,
    rep_summary,
    squat_state,
)
from squat_pose.sync_seam import create_pair_source
from squat_pose.sync_stats import SyncStatistics
from squat_pose.view_check import ViewStatus, views_report

FRONT, SIDE = 0, 1
VIEWS = ("front", "side")


class PoseNode(Node):
    """Thin node: parameters in; keypoints, states, reps, overlays, markers out."""

    def __init__(self) -> None:
        super().__init__("pose_node")
        self._loaded: Reference | None = None
        self._settings = NodeParameters(self, PoseNodeSettings(), on_change=self._apply,
                                        check=self._check)
        settings = self._settings.value
        slop_s, queue_size = settings.slop_s, settings.sync_queue_size
        self._bridge, bridge_name = image_bridge()
        self._rig = self._calibration(settings.calibration_path)
        self._estimator = MultiViewEstimator(VIEWS, settings.pose)
        self._analyzer = SquatAnalyzer(settings.analysis, self._rig)
        self._analysis_lock = threading.Lock()
        self._scorer: ReferenceScorer | None = None
        self._stats = SyncStatistics(inputs=2)
        self._latencies_ms: deque[float] = deque(maxlen=300)
        self._process_ms: deque[float] = deque(maxlen=300)
        self._processed = 0
        self._views: dict[str, ViewStatus] = {}
        self._keypoint_pubs = {
            view: self.create_publisher(PoseKeypoints, f"~/{view}/keypoints", 10)
            for view in VIEWS}
        self._overlay_pubs = {
            view: self.create_publisher(Image, f"squat/overlay/{view}", SENSOR_QOS)
            for view in VIEWS}
        self._state_pub = self.create_publisher(SquatState, "squat/state", 10)
        self._rep_pub = self.create_publisher(RepSummary, "squat/rep", REP_QOS)
        self._marker_pub = self.create_publisher(MarkerArray, "squat/markers", 10)
        self._landmarks_pub = (self.create_publisher(Landmarks3D, "squat/landmarks_3d", 10)
                               if self._rig else None)
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, DIAGNOSTICS_TOPIC, 10)
        self._reference_pub = self.create_publisher(ReferenceSummary, "squat/reference",
                                                    REFERENCE_QOS)
        if settings.reference_path:
            try:
                self._use(load_reference(reference_file(settings.reference_path)),
                          settings.reference_path)
            except ReferenceError as error:
                self.get_logger().error(f"no reference: {error}; scores are NaN until one "
                                        "is set (SetReference, or reference_path)")
        self.create_service(SetReference, "squat/set_reference", self._on_set_reference)

        self._pending = NewestQueue(settings.processing_queue_size)
        self._gaps = InputGaps()
        self._worker = threading.Thread(target=self._work, name="pose", daemon=True)
        self._worker.start()
        # image_transport's topic naming: the compressed stream beside the raw one.
        compressed = settings.image_transport == "compressed"
        message_type, suffix = (CompressedImage, "/compressed") if compressed else (Image, "")
        self._pairs = create_pair_source(
            self, message_type, [f"{view}/image_raw{suffix}" for view in VIEWS], queue_size,
            slop_s, SENSOR_QOS)
        for index, subscriber in enumerate(self._pairs.subscribers):
            subscriber.registerCallback(lambda _msg, i=index: self._stats.frame(i))
        self._pairs.synchronizer.registerCallback(self._on_pair)
        self._slop_s = slop_s
        self.create_timer(1.0, self._publish_diagnostics)
        self.get_logger().info(
            f"pairing front/side frames with {self._pairs.implementation}: "
            f"queue_size={queue_size}, slop={slop_s * 1000:.1f} ms; images by {bridge_name}")

    def _calibration(self, path: str) -> RigCalibration | None:
        if not path:
            return None
        try:
            rig = load_rig(Path(path).expanduser(), VIEWS)
        except CalibrationError as error:
            # The session goes on as it would without a calibration, and says so.
            self.get_logger().error(f"calibration_path: {error}; judging each view in 2D")
            return None
        self.get_logger().info(
            f"judging in 3D with the rig calibration {path} ({rig.source}, world frame "
            f"{rig.world_frame!r})")
        return rig

    def _check(self, settings: PoseNodeSettings, changed: set[str]) -> str | None:
        # A reference that does not load is refused before it replaces the one in use.
        self._loaded = None
        if "reference_path" not in changed or not settings.reference_path:
            return None
        try:
            self._loaded = load_reference(reference_file(settings.reference_path))
        except ReferenceError as error:
            return str(error)
        return None

    def _apply(self, settings: PoseNodeSettings, changed: set[str]) -> None:
        # The worker analyses pairs while a parameter client sets values on the executor.
        with self._analysis_lock:
            self._analyzer.apply(settings.analysis)
            if self._scorer is not None:
                self._scorer.settings = settings.scoring
                self._scorer.min_visibility = settings.analysis.min_visibility
        if "reference_path" in changed:
            self._use(self._loaded, settings.reference_path)

    def _use(self, reference: Reference | None, path: str) -> None:
        settings = self._settings.value
        scorer = (ReferenceScorer(reference, settings.scoring, settings.analysis.min_visibility)
                  if reference is not None else None)
        with self._analysis_lock:
            self._scorer = scorer
        summary = reference_summary(reference, path)
        self._reference_pub.publish(summary)
        self.get_logger().info(f"scoring against reference {summary.name!r} ({path})"
                               if reference else "no reference: scores are NaN")

    def _on_set_reference(self, request: SetReference.Request,
                          response: SetReference.Response) -> SetReference.Response:
        result = self.set_parameters([Parameter("reference_path", value=request.path)])[0]
        scorer = self._scorer
        response.success = result.successful
        response.message = (f"scoring against {request.path}" if result.successful
                            else f"{result.reason}; the previous reference stays in use")
        response.summary = reference_summary(scorer.reference if scorer else None,
                                             self._settings.value.reference_path)
        return response

    def _on_pair(self, front: Image | CompressedImage, side: Image | CompressedImage) -> None:
        sync_error_ms = (stamp_ns(side) - stamp_ns(front)) / 1e6
        self._stats.pair(sync_error_ms, time.monotonic())
        self._gaps.received(stamp_ns(front))
        self._pending.put((front, side, sync_error_ms))

    def _work(self) -> None:
        while not self._pending.closed:
            pair = self._pending.take()
            if pair is None:
                continue
            started = time.perf_counter()
            try:
                self._process(*pair)
                self._process_ms.append((time.perf_counter() - started) * 1000)
            except Exception as error:
                if not self.context.ok():
                    return
                self.get_logger().error(f"pair not processed: {error}",
                                        throttle_duration_sec=5.0)

    def _image(self, message: Image | CompressedImage, view: str) -> np.ndarray | None:
        try:
            if isinstance(message, CompressedImage):
                return decode_compressed(message, color=True)
            return self._bridge.imgmsg_to_cv2(message, "bgr8")
        except Exception as error:
            what = (message.format if isinstance(message, CompressedImage)
                    else f"{message.encoding}, {message.width}x{message.height}")
            self.get_logger().warning(f"{view} image unusable ({what}): {error}",
                                      throttle_duration_sec=5.0)
            return None

    def _process(self, front: Image | CompressedImage, side: Image | CompressedImage,
                 sync_error_ms: float) -> None:
        messages = {"front": front, "side": side}
        images = {view: self._image(messages[view], view) for view in VIEWS}
        poses = self._estimator.estimate(images)
        settings = self._settings.value
        t = stamp_s(front)
        usable = any(pose is not None for pose in poses.values())
        scored, finished, scorer = NO_SCORE, None, None
        with self._analysis_lock:
            # Pairs came since the last one analysed, though this node skipped them: a gap in
            # the analysis that is not the cameras'.
            frames_between = self._gaps.widest_before(stamp_ns(front)) <= \
                settings.analysis.phases.frame_gap_s
            analysis = (self._analyzer.update(t, poses["front"], poses["side"], frames_between,
                                              stamp_s(side))
                        if usable else None)
            if analysis is not None:
                self._views = analysis.views
                finished = analysis.finished
                if analysis.lost_rep_gap_s is not None:
                    self.get_logger().warning(
                        f"rep {analysis.rep_count + 1} dropped: no usable front/side pair for "
                        f"{analysis.lost_rep_gap_s:.1f} s (a camera lost, or the athlete out "
                        "of view); counting goes on from the next rep")
                scorer = self._scorer
                if scorer is not None:
                    scored = scorer.frame(t, analysis, poses)
                    if finished is not None:
                        finished = scorer.rep(finished)
        views = {view: pose_keypoints(messages[view].header, view, *_size(images[view]),
                                      poses[view]) for view in VIEWS}
        # Per-view keypoints, markers and overlays repeat what the state holds or draw it: they
        # are built only for someone listening (together ~1 ms of the ~25 ms a pair costs).
        for view in VIEWS:
            if self._keypoint_pubs[view].get_subscription_count():
                self._keypoint_pubs[view].publish(views[view])
        self._state_pub.publish(squat_state(views["front"], views["side"], sync_error_ms,
                                            analysis, scored))
        self._latencies_ms.append((self.get_clock().now().nanoseconds - stamp_ns(front)) / 1e6)
        self._processed += 1
        if finished is not None:
            self._rep_pub.publish(rep_summary(finished, front.header))
        landmarks = analysis.landmarks_3d if analysis is not None else None
        if self._rig is not None:
            # The landmarks' instant is the pair's earlier frame (the later view is brought to
            # it), as Landmarks3D.msg says; the markers without landmarks need only the frame.
            world = Header(stamp=time_from_s(landmarks.time_s) if landmarks else
                           front.header.stamp, frame_id=self._rig.world_frame)
            if landmarks is not None and self._landmarks_pub.get_subscription_count():
                self._landmarks_pub.publish(landmarks_3d(world, landmarks))
            if self._marker_pub.get_subscription_count():
                self._marker_pub.publish(landmark_markers(
                    world, landmarks.points if landmarks else None,
                    landmarks.confidence if landmarks else None,
                    settings.analysis.min_visibility))
        elif self._marker_pub.get_subscription_count():
            self._marker_pub.publish(skeleton_markers(
                Header(stamp=side.header.stamp, frame_id=side.header.frame_id), poses["side"],
                settings.marker_distance_m, settings.analysis.min_visibility))
        if settings.publish_overlays:
            for view in VIEWS:
                if images[view] is not None and self._overlay_pubs[view].get_subscription_count():
                    ghost = scorer.ghost(scored, poses[view], view) if scorer else None
                    annotated = draw_overlay(images[view], view, poses[view], analysis,
                                             scored.score, settings.analysis.min_visibility,
                                             ghost)
                    overlay = self._bridge.cv2_to_imgmsg(annotated, "bgr8")
                    overlay.header = messages[view].header
                    self._overlay_pubs[view].publish(overlay)

    def _publish_diagnostics(self) -> None:
        report = self._stats.report(time.monotonic())
        if sum(report.frames_received) == 0:
            level, message = DiagnosticStatus.WARN, "no camera frames received"
        elif report.pairs_per_s == 0.0:
            level, message = DiagnosticStatus.WARN, "frames arrive but none pair"
        else:
            level, message = DiagnosticStatus.OK, f"{report.pairs_per_s:.1f} pairs/s"
        latency = (np.percentile(self._latencies_ms, [50, 95]) if self._latencies_ms
                   else (float("nan"), float("nan")))
        process_ms = np.median(self._process_ms) if self._process_ms else float("nan")
        values = {
            "implementation": self._pairs.implementation,
            "slop_ms": f"{self._slop_s * 1000:.2f}",
            "pairs_total": str(report.pairs_total),
            "pairs_per_s": f"{report.pairs_per_s:.2f}",
            "pairs_processed": str(self._processed),
            "pairs_dropped_behind": str(self._pending.dropped),
            "front_frames": str(report.frames_received[FRONT]),
            "side_frames": str(report.frames_received[SIDE]),
            "front_unpaired": str(report.frames_unpaired[FRONT]),
            "side_unpaired": str(report.frames_unpaired[SIDE]),
            "abs_dt_p50_ms": f"{report.abs_dt_p50_ms:.2f}",
            "abs_dt_p95_ms": f"{report.abs_dt_p95_ms:.2f}",
            "abs_dt_p99_ms": f"{report.abs_dt_p99_ms:.2f}",
            "state_latency_p50_ms": f"{latency[0]:.1f}",
            "state_latency_p95_ms": f"{latency[1]:.1f}",
            "process_ms_p50": f"{process_ms:.1f}",
            "reference": self._scorer.reference.name if self._scorer else "none",
        }
        self._diagnostics_pub.publish(diagnostics(self, "frame sync", level, message, values))
        if self._views:
            views = views_report(self._views, self._settings.value.analysis.view_check)
            self._diagnostics_pub.publish(diagnostics(
                self, VIEWS_STATUS, DiagnosticStatus.OK if views.good else DiagnosticStatus.WARN,
                views.message, views.values))

    def destroy_node(self) -> None:
        self._pending.close()
        join_within([self._worker])
        if not self._worker.is_alive():  # else left to the process's end (run_node)
            self._estimator.close()
        super().destroy_node()


def _size(image: np.ndarray | None) -> tuple[int, int]:
    """Width and height of an image (0, 0 for one that could not be read)."""
    return (image.shape[1], image.shape[0]) if image is not None else (0, 0)


def main(args: list[str] | None = None) -> int:
    """Run pose_node until shutdown; 1 when its parameters are refused."""
    return run_node(PoseNode, "pose_node", args)
