"""The `vtile-opt` command: runs the native driver installed with the package.

The binary sits inside the package (vtile/_bin) so that its rpath can reach
libLLVM.so in the `llvm` package next to it, wherever site-packages is.
"""

from __future__ import annotations

import os
import sys
from importlib import resources

from vtile.errors import InstallError, VtileError


def vtile_opt_path() -> str:
    """Path of the vtile-opt executable."""
    path = resources.files("vtile") / "_bin" / "vtile-opt"
    if not path.is_file():
        raise InstallError("vtile-opt is missing; reinstall vtile with `pip install .`")
    return str(path)


def main() -> None:
    try:
        path = vtile_opt_path()
    except VtileError as error:
        sys.exit(f"vtile-opt: {error}")
    os.execv(path, [path, *sys.argv[1:]])
