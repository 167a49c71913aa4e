"""A content-addressed cache of iree-compile runs, outside any checkout.

iree-compile's output is a function of its input files, its flags, its
version and, for `--iree-llvmcpu-target-cpu=host`, the host CPU. The key
is a hash of exactly those; a hit replays the run: its exit code, its
stderr and the files it wrote into its scratch directory. A run is cached
only if every path it names lies in that directory (whose files are all
hashed), so a flag that reads or writes a file elsewhere (a tuning spec,
`--iree-hal-dump-executable-files-to=DIR`) always runs iree-compile. A
run that crashed or was killed is never cached.

`VTILE_IREE_CACHE` names the directory (default
`~/.cache/vtile/iree-compile`); `VTILE_IREE_CACHE=off` turns it off. The
cache keeps at most `MAX_BYTES`, dropping the least recently used runs."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

CACHE_ENV = "VTILE_IREE_CACHE"
FORMAT = 1  # bump when what an entry holds changes
MAX_BYTES = 2 * 1024**3
_RUN = "run.json"  # an entry's exit code and output, beside the files the run wrote
_SCRATCH = "$SCRATCH"  # the scratch directory, in keys and recorded output

Run = Callable[[list[str]], subprocess.CompletedProcess]


def cache_directory() -> Path | None:
    setting = os.environ.get(CACHE_ENV, "")
    if setting == "off":
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "vtile" / "iree-compile"


def cached_run(command: Sequence[str], scratch: Path, run: Run) -> subprocess.CompletedProcess:
    """`run(command)`, or what it gave before for the same key. `command[0]`
    is the tool; every file it reads or writes is under `scratch`."""
    directory = cache_directory()
    key = _key(command, scratch) if directory is not None else None
    if key is None:
        return run(list(command))
    entry = directory / key[:2] / key
    if (entry / _RUN).is_file():
        return _replay(entry, command, scratch)
    before = {path for path in scratch.rglob("*") if path.is_file()}
    result = run(list(command))
    if result.returncode >= 0:  # a crash or a kill may not happen again
        written = [path for path in scratch.rglob("*") if path.is_file() and path not in before]
        _store(directory, entry, result, written, scratch)
    return result


def _key(command: Sequence[str], scratch: Path) -> str | None:
    """The hash of everything the run's output depends on; None if it names
    a path outside `scratch`, whose contents the key cannot vouch for."""
    root = str(scratch)
    arguments = []
    for argument in command[1:]:
        value = argument.split("=", 1)[-1] if argument.startswith("-") else argument
        if "/" in value and not value.startswith(root) and value != os.devnull:
            return None
        arguments.append(argument.replace(root, _SCRATCH))
    digest = hashlib.sha256()
    environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("IREE"))
    digest.update(json.dumps([FORMAT, _tool_identity(Path(command[0]).name), arguments,
                              environment]).encode())
    for path in sorted(p for p in scratch.rglob("*") if p.is_file()):
        digest.update(f"\0{path.relative_to(scratch)}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _tool_identity(tool: str) -> list[str]:
    """The tool, its compiler's version and the host CPU (`host` targets it)."""
    try:
        version = metadata.version("iree-base-compiler")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return [tool, version, platform.machine(), _cpu_description()]


def _cpu_description() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    wanted = ("model name", "flags", "Features", "CPU part")
    return "|".join(sorted({line.strip() for line in lines if line.startswith(wanted)}))


def _replay(entry: Path, command: Sequence[str], scratch: Path) -> subprocess.CompletedProcess:
    recorded = json.loads((entry / _RUN).read_text())
    for path in entry.rglob("*"):
        if path.is_file() and path.name != _RUN:
            target = scratch / path.relative_to(entry / "files")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    os.utime(entry)  # recently used: kept longest
    # Messages name the files of the scratch directory they were made in.
    stdout, stderr = (recorded[name].replace(_SCRATCH, str(scratch))
                      for name in ("stdout", "stderr"))
    return subprocess.CompletedProcess(list(command), recorded["returncode"], stdout, stderr)


def _store(directory: Path, entry: Path, result: subprocess.CompletedProcess,
           written: list[Path], scratch: Path) -> None:
    """Writes the entry whole or not at all (a rename), so that parallel
    runs and interrupted ones never leave half an entry."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=directory))
        for path in written:
            copy = staging / "files" / path.relative_to(scratch)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
        (staging / _RUN).write_text(json.dumps(
            {"returncode": result.returncode,
             "stdout": result.stdout.replace(str(scratch), _SCRATCH),
             "stderr": result.stderr.replace(str(scratch), _SCRATCH)}))
        try:
            staging.rename(entry)
        except OSError:  # another run stored it first
            shutil.rmtree(staging, ignore_errors=True)
        _prune(directory)
    except OSError:
        return  # a cache that cannot be written only costs time


def _prune(directory: Path) -> None:
    entries = [(e.stat().st_mtime, e) for shard in directory.iterdir() if shard.is_dir()
               and not shard.name.startswith(".") for e in shard.iterdir()]
    sizes = {e: sum(f.stat().st_size for f in e.rglob("*") if f.is_file()) for _, e in entries}
    total = sum(sizes.values())
    for _, e in sorted(entries):
        if total <= MAX_BYTES:
            break
        shutil.rmtree(e, ignore_errors=True)
        total -= sizes[e]
