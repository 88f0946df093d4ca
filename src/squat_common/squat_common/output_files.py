"""Whether a command can write its output, asked before the work rather than after it."""

from __future__ import annotations

from pathlib import Path


def unwritable_reason(path: Path) -> str | None:
    """Why a file cannot be written at `path` (a folder, no such folder, no permission, a
    file system that takes no files); None when it can. Leaves nothing behind."""
    if path.is_dir():
        return f"cannot write {path}: it is a folder"
    if not path.parent.is_dir():
        return f"cannot write {path}: no folder {path.parent}"
    probe = path.with_name(f".{path.name}.partial")
    try:
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        return f"cannot write {path}: {error.strerror or error}"
    return None


def unwritable_folder_reason(folder: Path) -> str | None:
    """Why files cannot be written into `folder` (made if missing, as the command would);
    None when they can."""
    if folder.exists() and not folder.is_dir():
        return f"cannot write into {folder}: it is a file"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"cannot write into {folder}: {error.strerror or error}"
    return unwritable_reason(folder / "probe")
