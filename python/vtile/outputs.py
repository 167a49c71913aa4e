"""Writing output files all or nothing: a failed command leaves no partial
.vmfb, .mlir or .npz behind for a deployment script to pick up."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from vtile.errors import OutputError


def check_writable(path: Path) -> None:
    """Refuses, before any work, an output path that cannot be written."""
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"cannot write {path}: permission denied")


def make_directory(path: Path) -> None:
    """Creates an output directory (and its parents), before any work."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create directory {path}: {error.strerror}") from None
    check_writable(path / "probe")


def write_all(files: Mapping[Path, bytes | str]) -> None:
    """Writes every file or none: each goes to a temporary name beside its
    target, and all are renamed into place only once all are written."""
    staged: list[tuple[str, Path]] = []
    umask = os.umask(0)
    os.umask(umask)
    try:
        for path, content in files.items():
            check_writable(path)
            data = content.encode() if isinstance(content, str) else content
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged.append((temporary, path))
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.chmod(temporary, 0o666 & ~umask)  # mkstemp's are private
        for temporary, path in staged:
            os.replace(temporary, path)
    except OSError as error:
        raise OutputError(f"cannot write {error.filename or path}: {error.strerror}") from None
    finally:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.remove(temporary)


def write_creating_directory(path: Path, text: str) -> None:
    """Writes one file (a reproducer) whole, creating its directory."""
    make_directory(path.parent)
    write_all({path: text})
