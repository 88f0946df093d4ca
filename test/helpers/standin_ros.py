"""A STAND-IN for a ROS 2 Jazzy machine's /opt/ros/jazzy, assembled from the PyPI wheels.

No ROS distro can be installed here, so the native branch of scripts/setup is exercised against
a prefix laid out like one: `setup.bash`, `share/<package>`, `lib/`, `bin/` and
`lib/python3.X/site-packages`, holding the ROS 2 core from the `ros-jazzy-*` wheels, colcon (apt's
python3-colcon-common-extensions), and the Python packages Ubuntu 24.04 ships for the rosdep
keys the manifests declare, at Ubuntu's versions (python3-numpy 1.26.4, python3-yaml 6.0.1,
python3-matplotlib 3.6.3, python3-scipy 1.11.4; python3-opencv is 4.6, here the 4.6 wheel).
What it is not: apt packages in /usr/lib/python3/dist-packages (here they share the prefix's
site-packages on PYTHONPATH), Python 3.12 (this machine has 3.11), cv_bridge, rosbag2, tf2, launch.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# Ubuntu 24.04's builds of what the rosdep keys python3-numpy, python3-yaml, python3-matplotlib,
# python3-scipy and python3-opencv install.
DISTRO_PYTHON = {"numpy": "1.26.4", "PyYAML": "6.0.1", "matplotlib": "3.6.3", "scipy": "1.11.4",
                 "opencv-python-headless": "4.6.0.66"}

SETUP_BASH = """\
# STAND-IN for /opt/ros/jazzy/setup.bash (test/helpers/standin_ros.py)
export ROS_DISTRO=jazzy ROS_VERSION=2 ROS_PYTHON_VERSION=3
export AMENT_PREFIX_PATH="{prefix}" CMAKE_PREFIX_PATH="{prefix}"
export PYTHONPATH="{site}${{PYTHONPATH:+:$PYTHONPATH}}"
export PATH="{prefix}/bin:$PATH"
export LD_LIBRARY_PATH="{libraries}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}"
"""


def base_python() -> str:
    """The interpreter itself, not the project's venv: it stands for /usr/bin/python3."""
    return getattr(sys, "_base_executable", sys.executable)


def distro_constraints(repo: Path) -> str:
    """The project's pins, with Ubuntu 24.04's versions of what the distro provides."""
    pins = (repo / "scripts" / "constraints.txt").read_text()
    for name, version in DISTRO_PYTHON.items():
        pins = re.sub(rf"(?im)^{re.escape(name)}==.*$", f"{name}=={version}", pins)
    return pins


def assemble(prefix: Path, repo: Path) -> Path:
    """The stand-in prefix at `prefix`, with the project's pins but the distro's versions of
    what the distro provides; returns its setup.bash."""
    scripts = repo / "scripts"
    ros = [line.strip() for line in (scripts / "requirements.txt").read_text().splitlines()
           if re.match(r"(ros-jazzy-|colcon-|setuptools)", line)]
    constraints = prefix.parent / "standin-constraints.txt"
    prefix.mkdir(parents=True)
    constraints.write_text(distro_constraints(repo))
    subprocess.run(
        [base_python(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--ignore-installed", "--no-warn-script-location", "--no-warn-conflicts",
         "--prefix", str(prefix), "-c", str(constraints), *ros, *DISTRO_PYTHON],
        check=True, timeout=1200)
    site = prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / \
        "site-packages"
    # The wheels keep their shared libraries in site-packages/ros_*.libs, found through a .pth
    # hook that only a site directory runs; a distro's setup.bash names its lib/ instead.
    libraries = ":".join(map(str, [prefix / "lib", *sorted(site.glob("ros_*.libs"))]))
    setup = prefix / "setup.bash"
    setup.write_text(SETUP_BASH.format(prefix=prefix, site=site, libraries=libraries))
    return setup
