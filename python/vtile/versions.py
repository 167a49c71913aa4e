"""The versions of vtile and the tools it drives, for reproducers and bug reports."""

from __future__ import annotations

import platform
from importlib import metadata

# Distribution names: what `pip install` pins.
PACKAGES = ("vtile", "xtc-mlir-python-bindings", "iree-base-compiler", "iree-base-runtime", "torch")


def tool_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def versions_line() -> str:
    return ", ".join(f"{name} {version}" for name, version in tool_versions().items())
