"""The topics a recorded session keeps, with their types and how they are published."""

from __future__ import annotations

from dataclasses import dataclass

SENSOR, LATCHED, RELIABLE = "sensor", "latched", "reliable"


@dataclass(frozen=True)
class SessionTopic:
    """One recorded topic: absolute name, ROS type name, and its publishers' QoS kind."""

    name: str
    msgtype: str
    qos: str


SESSION_TOPICS: tuple[SessionTopic, ...] = (
    *(SessionTopic(f"/{view}/image_raw/compressed", "sensor_msgs/msg/CompressedImage", SENSOR)
      for view in ("front", "side")),
    *(SessionTopic(f"/{view}/camera_info", "sensor_msgs/msg/CameraInfo", SENSOR)
      for view in ("front", "side")),
    *(SessionTopic(f"/pose_node/{view}/keypoints", "squat_msgs/msg/PoseKeypoints", RELIABLE)
      for view in ("front", "side")),
    SessionTopic("/squat/state", "squat_msgs/msg/SquatState", RELIABLE),
    SessionTopic("/squat/rep", "squat_msgs/msg/RepSummary", LATCHED),
    SessionTopic("/squat/feedback", "squat_msgs/msg/Feedback", RELIABLE),
    SessionTopic("/squat/cue", "squat_msgs/msg/Cue", RELIABLE),
    SessionTopic("/squat/reference", "squat_msgs/msg/ReferenceSummary", LATCHED),
    SessionTopic("/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", RELIABLE),
    SessionTopic("/tf_static", "tf2_msgs/msg/TFMessage", LATCHED),
)
