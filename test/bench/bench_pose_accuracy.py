"""Benchmark: keypoint error against hand labels (../shared/data/squat/gt), in pixels.

For the 17 COCO joints of each labelled frame: MediaPipe per image (static mode, the way the
source repository measured its ≈24 px front / ≈49 px side baseline) beside squat coach's
estimator (one tracker per camera, video mode with MediaPipe's landmark smoothing), which is
what the pose node runs. Prints figures; asserts nothing.
Usage: source scripts/env.sh; python test/bench/bench_pose_accuracy.py
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from squat_pose.landmarks import COCO_17
from squat_pose.pose_estimation import PoseEstimator

GT = Path(__file__).resolve().parents[3] / "shared" / "data" / "squat" / "gt"
SOURCE_BASELINE_PX = {"front": 24.0, "side": 49.0}


def labels(path: Path, width: int, height: int) -> np.ndarray:
    """The 17 labelled points of a frame in pixels (x = a * width, y = (1 - b) * height)."""
    rows = [line.split(",") for line in path.read_text().split() if line.strip()]
    return np.array([(float(a) * width, (1 - float(b)) * height) for a, b in rows])


def static_estimate(image: np.ndarray):
    import mediapipe as mp

    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
        found = pose.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    if found.pose_landmarks is None:
        return None
    height, width = image.shape[:2]
    return np.array([(m.x * width, m.y * height) for m in found.pose_landmarks.landmark])


def main() -> None:
    if not GT.is_dir():
        print(f"no hand labels at {GT}: nothing to measure")
        return
    print(f"{'view':6s} {'frames':>6s} {'static px':>10s} {'tracked px':>11s} "
          f"{'source px':>10s} {'missed (static/tracked)':>24s}")
    for view in ("front", "side"):
        images = sorted((GT / view / "images").glob("*.jpg"))
        tracker = PoseEstimator()
        static_errors, tracked_errors, missed = [], [], [0, 0]
        for image_path in images:
            image = cv2.imread(str(image_path))
            height, width = image.shape[:2]
            truth = labels(GT / view / "landmarks" / f"{image_path.stem}.txt", width, height)
            raw = static_estimate(image)
            tracked = tracker.estimate(image)
            if raw is None:
                missed[0] += 1
            else:
                static_errors.append(np.linalg.norm(raw[list(COCO_17)] - truth, axis=1).mean())
            if tracked is None:
                missed[1] += 1
            else:
                tracked_errors.append(
                    np.linalg.norm(tracked.pixels[list(COCO_17)] - truth, axis=1).mean())
        tracker.close()
        print(f"{view:6s} {len(images):6d} {np.mean(static_errors):10.1f} "
              f"{np.mean(tracked_errors):11.1f} {SOURCE_BASELINE_PX[view]:10.1f} "
              f"{missed[0]:>12d}/{missed[1]}")


if __name__ == "__main__":
    main()
