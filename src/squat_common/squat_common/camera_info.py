"""CameraInfo from a calibration file (camera_calibration YAML), or an honest uncalibrated one."""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import urlparse

from sensor_msgs.msg import CameraInfo

from squat_common.calibration_matrices import read_matrix
from squat_common.yaml_files import read_yaml

IDENTITY_3X3 = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]


class CameraInfoError(ValueError):
    """A camera_info_url that cannot be used, with the reason."""


def _resolve(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(parsed.netloc + parsed.path)
    if parsed.scheme == "package":
        from ament_index_python.packages import PackageNotFoundError, get_package_share_directory
        try:
            return Path(get_package_share_directory(parsed.netloc)) / parsed.path.lstrip("/")
        except PackageNotFoundError as error:
            raise CameraInfoError(f"{url}: package {parsed.netloc!r} not found") from error
    raise CameraInfoError(f"{url}: only file:// and package:// URLs are supported")


def _matrix(data: dict, key: str, rows: int, cols: int) -> list[float]:
    return read_matrix(data, key, rows, cols).ravel().tolist()


def load_calibration(url: str) -> CameraInfo:
    """The CameraInfo stored at `url` in the camera_calibration YAML format."""
    path = _resolve(url)
    data = read_yaml(path, url, CameraInfoError)
    if not isinstance(data, dict):
        raise CameraInfoError(f"{url}: expected a camera_calibration YAML mapping")
    try:
        info = CameraInfo()
        info.width = int(data["image_width"])
        info.height = int(data["image_height"])
        info.k = _matrix(data, "camera_matrix", 3, 3)
        info.distortion_model = str(data.get("distortion_model", "plumb_bob"))
        coefficients = data.get("distortion_coefficients", {}).get("data", [])
        info.d = [float(v) for v in coefficients]
        info.r = (_matrix(data, "rectification_matrix", 3, 3)
                  if "rectification_matrix" in data else IDENTITY_3X3)
        info.p = _matrix(data, "projection_matrix", 3, 4)
    except (KeyError, TypeError, ValueError) as error:
        raise CameraInfoError(f"{url}: {error}") from error
    return info


def pinhole_info(width: int, height: int, horizontal_fov_deg: float) -> CameraInfo:
    """An uncalibrated pinhole: square pixels, centred principal point, no distortion. Pixel
    centres sit at integer coordinates (OpenCV's convention, which camera_info follows), so
    the centre of the image is ((width - 1) / 2, (height - 1) / 2)."""
    fx = (width / 2) / math.tan(math.radians(horizontal_fov_deg) / 2)
    return intrinsics_info(width, height, fx, fx, (width - 1) / 2, (height - 1) / 2)


def intrinsics_info(width: int, height: int, fx: float, fy: float, cx: float,
                    cy: float) -> CameraInfo:
    """A distortion-free camera with the given intrinsics (pixels)."""
    info = CameraInfo(width=width, height=height, distortion_model="plumb_bob")
    info.d = [0.0] * 5
    info.k = [fx, 0.0, cx, 0.0, fy, cy, 0.0, 0.0, 1.0]
    info.r = IDENTITY_3X3
    info.p = [fx, 0.0, cx, 0.0, 0.0, fy, cy, 0.0, 0.0, 0.0, 1.0, 0.0]
    return info


def scaled_to(info: CameraInfo, width: int, height: int) -> CameraInfo:
    """`info` for the same camera delivering images of another size (intrinsics scaled)."""
    if (info.width, info.height) == (width, height):
        return info
    sx, sy = width / info.width, height / info.height
    scaled = CameraInfo(width=width, height=height, distortion_model=info.distortion_model)
    scaled.d = list(info.d)
    scaled.r = list(info.r)
    k, p = list(info.k), list(info.p)
    for index in (0, 1, 2):  # first rows: fx, skew, cx / fx', 0, cx', Tx
        k[index] *= sx
    for index in (3, 4, 5):
        k[index] *= sy
    for index in (0, 1, 2, 3):
        p[index] *= sx
    for index in (4, 5, 6, 7):
        p[index] *= sy
    # Pixel centres at integers: the principal point scales about the image's corner, which
    # sits half a pixel before the first centre.
    k[2] = p[2] = (info.k[2] + 0.5) * sx - 0.5
    k[5] = p[6] = (info.k[5] + 0.5) * sy - 0.5
    scaled.k, scaled.p = k, p
    return scaled
