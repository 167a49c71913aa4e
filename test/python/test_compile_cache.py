"""The iree-compile cache replays a run only for exactly the same inputs,
flags and tool, and never a run that touches files outside its scratch
directory or that crashed."""

import subprocess

import numpy as np
import pytest
from test_iree_backend import CONV, conv_inputs, conv_reference  # noqa: F401 (a fixture)

from vtile.backends import compile_cache
from vtile.backends.compile_cache import CACHE_ENV, cached_run
from vtile.backends.iree import compile_vmfb, load
from vtile.backends.targets import CpuTarget


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(directory))
    return directory


class FakeCompiler:
    """Writes `<scratch>/out.bin` from the input's text, says where on stderr."""

    def __init__(self, returncode=0):
        self.calls, self.returncode = 0, returncode

    def __call__(self, command):
        self.calls += 1
        source, output = command[1], command[command.index("-o") + 1]
        with open(source) as f, open(output, "w") as out:
            out.write(f.read().upper())
        return subprocess.CompletedProcess(command, self.returncode, "", f"wrote {output}\n")


def _compile(tmp_path, name, text, compiler, *flags):
    scratch = tmp_path / name
    scratch.mkdir()
    (scratch / "input.mlir").write_text(text)
    command = ["iree-compile", str(scratch / "input.mlir"), *flags, "-o", str(scratch / "out.bin")]
    result = cached_run(command, scratch, compiler)
    return result, (scratch / "out.bin").read_text(), scratch


def test_the_same_run_is_replayed_with_its_files_and_messages(tmp_path, cache):
    compiler = FakeCompiler()
    _compile(tmp_path, "a", "module", compiler, "--flag=1")
    result, output, scratch = _compile(tmp_path, "b", "module", compiler, "--flag=1")
    assert compiler.calls == 1
    assert output == "MODULE"
    assert result.returncode == 0
    # The message names the new scratch directory's file, not the first one's.
    assert result.stderr == f"wrote {scratch / 'out.bin'}\n"


@pytest.mark.parametrize("text, flag", [("other module", "--flag=1"), ("module", "--flag=2")])
def test_other_inputs_or_flags_run_again(tmp_path, cache, text, flag):
    compiler = FakeCompiler()
    _compile(tmp_path, "a", "module", compiler, "--flag=1")
    _, output, _ = _compile(tmp_path, "b", text, compiler, flag)
    assert compiler.calls == 2
    assert output == text.upper()


def test_a_path_outside_the_scratch_directory_always_runs(tmp_path, cache):
    compiler = FakeCompiler()
    spec = f"--iree-codegen-tuning-spec-path={tmp_path / 'spec.mlir'}"
    for name in ("a", "b"):
        _compile(tmp_path, name, "module", compiler, spec)
    assert compiler.calls == 2
    assert not cache.exists()


def test_a_crashed_run_is_not_kept(tmp_path, cache):
    compiler = FakeCompiler(returncode=-11)
    for name in ("a", "b"):
        _compile(tmp_path, name, "module", compiler)
    assert compiler.calls == 2


def test_a_failed_run_is_replayed_as_a_failure(tmp_path, cache):
    compiler = FakeCompiler(returncode=1)
    _compile(tmp_path, "a", "module", compiler)
    result, _, _ = _compile(tmp_path, "b", "module", compiler)
    assert (compiler.calls, result.returncode) == (1, 1)


def test_off_runs_every_time_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "off")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    compiler = FakeCompiler()
    for name in ("a", "b"):
        _compile(tmp_path, name, "module", compiler)
    assert compiler.calls == 2
    assert not (tmp_path / "home").exists()


def test_the_least_recently_used_runs_go_first_over_the_limit(tmp_path, cache, monkeypatch):
    compiler = FakeCompiler()
    _compile(tmp_path, "a", "first" * 100, compiler)
    _compile(tmp_path, "b", "second" * 100, compiler)
    monkeypatch.setattr(compile_cache, "MAX_BYTES", 1600)  # room for two entries, not three
    _compile(tmp_path, "c", "first" * 100, compiler)  # a hit: now the most recent
    _compile(tmp_path, "d", "third" * 100, compiler)
    _compile(tmp_path, "e", "first" * 100, compiler)
    _compile(tmp_path, "f", "second" * 100, compiler)
    assert compiler.calls == 4  # "second" was dropped, "first" kept


def test_a_replayed_vmfb_is_the_same_module(tmp_path, cache, conv_inputs):
    target = CpuTarget()
    first = compile_vmfb(CONV, target)
    entries = list(cache.glob("*/*"))
    second = compile_vmfb(CONV, target)
    assert len(entries) == 1 and list(cache.glob("*/*")) == entries
    assert first == second
    result = load(second, target)(*conv_inputs)[0]
    np.testing.assert_allclose(result, conv_reference(*conv_inputs), rtol=1e-5, atol=1e-5)
