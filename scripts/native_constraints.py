#!/usr/bin/env python3
"""Pins for a venv layered on a ROS 2 distro's Python that never replace a distro package.

Usage: native_constraints.py CONSTRAINTS DISTRO VENV > native-constraints.txt
       native_constraints.py check DISTRO VENV

DISTRO is the requirements file of what a ROS distro provides (numpy, OpenCV, PyYAML,
matplotlib: the rosdep keys the manifests declare). Run by the venv's own interpreter (made with
--system-site-packages, before anything is installed into it): each of those the system has
(apt's dist-packages, the ROS prefix's site-packages on PYTHONPATH) is pinned to the version
installed there, in place of the project's pin, so pip keeps it instead of shadowing it with a
PyPI build (numpy 2 over the numpy 1.26 that cv_bridge and the message type support were
compiled against). Every other line of CONSTRAINTS is kept: other system packages are pure
Python the ROS stack does not build against, and pinning them all would make the PyPI-only
packages unresolvable. `check` lists what of DISTRO is in VENV and outside it too (by
distribution, and by module for builds without pip metadata), one per line; exit 1 if any.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path


def normalized(name: str) -> str:
    """PEP 503 name: what pip compares."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(path: Path) -> set[str]:
    """Normalized names a requirements file asks for."""
    names = set()
    for line in path.read_text().splitlines():
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line.split("#")[0])
        if match:
            names.add(normalized(match.group(1)))
    return names


def installed(venv: Path) -> tuple[dict[str, str], set[str]]:
    """(distributions outside `venv` by normalized name -> version, names inside `venv`)."""
    outside: dict[str, str] = {}
    inside: set[str] = set()
    venv = venv.resolve()
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name:
            continue
        where = Path(str(dist.locate_file(""))).resolve()
        if where == venv or venv in where.parents:
            inside.add(normalized(name))
        else:
            outside.setdefault(normalized(name), dist.version)
    return outside, inside


# Modules a distro may install without pip metadata (Debian's python3-opencv has none).
DISTRO_MODULES = ("numpy", "cv2", "yaml")


def module_homes(name: str) -> list[Path]:
    """Every sys.path entry that holds top-level module `name`, in import order."""
    homes = []
    for entry in map(Path, sys.path):
        if (entry / name).is_dir() or any(entry.glob(f"{name}.*.so")) or \
                (entry / f"{name}.py").is_file():
            homes.append(entry.resolve())
    return homes


def shadowed(venv: Path, distro: set[str]) -> list[str]:
    """What of `distro` `venv` holds that the system outside it holds too."""
    venv = venv.resolve()
    outside, inside = installed(venv)
    found = [f"{name} {outside[name]} (distribution)"
             for name in sorted(inside & set(outside) & distro)]
    for module in DISTRO_MODULES:
        homes = module_homes(module)
        ours = [home for home in homes if home == venv or venv in home.parents]
        if ours and len(ours) < len(homes):
            found.append(f"{module} (module, in {ours[0]})")
    return found


def pinned(constraints: str, system: dict[str, str]) -> str:
    """`constraints` with each distribution of `system` pinned to the system's version."""
    lines, seen = [], set()
    for line in constraints.splitlines():
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==", line)
        name = normalized(match.group(1)) if match else None
        if name in system:
            seen.add(name)
            lines.append(f"{name}=={system[name]}  # the system's, kept")
        else:
            lines.append(line)
    lines += [f"{name}=={version}  # the system's, kept"
              for name, version in sorted(system.items()) if name not in seen]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    distro = requirement_names(Path(argv[1]))
    if argv[0] == "check":
        found = shadowed(Path(argv[2]), distro)
        print("\n".join(found))
        return 1 if found else 0
    outside, _ = installed(Path(argv[2]))
    kept = {name: version for name, version in outside.items() if name in distro}
    sys.stdout.write(pinned(Path(argv[0]).read_text(), kept))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
