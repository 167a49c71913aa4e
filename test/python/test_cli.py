"""The installed command-line tools."""

import subprocess
import sys
from pathlib import Path

import pytest

# The console scripts installed next to the interpreter running the tests.
BIN = Path(sys.executable).parent


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def test_vtile_opt_lists_both_dialects():
    result = run(BIN / "vtile-opt", "--show-dialects")
    assert result.returncode == 0
    dialects = result.stdout.split("Available Dialects:")[1].strip().split(",")
    assert {"tile", "dataflow", "linalg", "tensor"} <= set(dialects)


def test_vtile_opt_reports_bad_input_file():
    result = run(BIN / "vtile-opt", "/nonexistent/input.mlir")
    assert result.returncode != 0
    assert "cannot open input file" in result.stderr


def test_vtile_without_command_prints_usage():
    result = run(sys.executable, "-m", "vtile.cli")
    assert result.returncode == 2
    assert "usage: vtile" in result.stderr


@pytest.mark.parametrize("command", [[], ["compile"], ["run"], ["bench"], ["demo"]])
def test_help(command):
    result = run(BIN / "vtile", *command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: vtile")
    if not command:
        assert all(name in result.stdout for name in ("compile", "run", "bench", "demo"))
