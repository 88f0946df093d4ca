#!/usr/bin/env python3
"""Pins for a venv layered on a ROS 2 distro's Python that never replace a distro package.

Usage: native_constraints.py CONSTRAINTS VENV > native-constraints.txt

Run by the venv's own interpreter (made with --system-site-packages, before anything is
installed into it): every distribution it sees outside VENV (apt's dist-packages, the ROS
prefix's site-packages on PYTHONPATH) is pinned to the version installed there, in place of the
project's pin, so pip keeps it instead of shadowing it with a PyPI build (numpy 2 over the numpy
1.26 that cv_bridge and the message type support were compiled against). Every other line of
CONSTRAINTS is kept. `check VENV` instead lists the distributions installed in VENV that the
system also has, and the distro modules (numpy, cv2, yaml) found in both, what a later pip run
shadowed, one per line, and exits 1 if there are any.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path


def normalized(name: str) -> str:
    """PEP 503 name: what pip compares."""
    return re.sub(r"[-_.]+", "-", name).lower()


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


def shadowed(venv: Path) -> list[str]:
    """What `venv` holds that the system outside it holds too."""
    venv = venv.resolve()
    outside, inside = installed(venv)
    found = [f"{name} {outside[name]} (distribution)"
             for name in sorted(inside & set(outside) - {"pip", "setuptools", "wheel"})]
    for module in DISTRO_MODULES:
        homes = module_homes(module)
        ours = [home for home in homes if home == venv or venv in home.parents]
        if ours and len(ours) < len(homes):
            found.append(f"{module} (module, in {ours[0]})")
    return found


def pinned(constraints: str, system: dict[str, str]) -> str:
    """`constraints` with each distribution the system has pinned to the system's version."""
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
    if len(argv) == 2 and argv[0] == "check":
        found = shadowed(Path(argv[1]))
        print("\n".join(found))
        return 1 if found else 0
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    outside, _ = installed(Path(argv[1]))
    sys.stdout.write(pinned(Path(argv[0]).read_text(), outside))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
