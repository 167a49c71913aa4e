"""The installed command-line tools."""

import subprocess
import sys
from pathlib import Path

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


def test_demo_runs_and_shows_fit_and_rejection():
    result = run(BIN / "vtile", "demo")
    assert result.returncode == 0, result.stderr
    assert "tile.loop" in result.stdout and "tile.load_window" in result.stdout
    assert "49 tiles of [1, 32, 8, 8]" in result.stdout
    assert "above its capacity of 32768 bytes" in result.stdout


def test_vtile_without_command_prints_usage():
    result = run(sys.executable, "-m", "vtile.cli")
    assert result.returncode == 2
    assert "usage: vtile" in result.stderr


def test_help_lists_demo():
    result = run(BIN / "vtile", "--help")
    assert result.returncode == 0
    assert "demo" in result.stdout
