"""`vtile-opt` rejects invalid `tile`/`dataflow` IR with diagnostics; it never
aborts. The lit tests check the errors someone thought of; this mutates the
valid IR of those tests (an integer literal, a type's dimension, two SSA names
swapped, an attribute entry or list element dropped, a line duplicated or
dropped), mostly on lines with our ops and attributes, and feeds the mutants
through the verifier alone and through the lowering passes. A verifier that
misses a case, or a pass that trusts IR the verifier let through, shows up
as a signal or an LLVM assertion instead of an `error:`.

Seeded, so every run checks the same mutants; all mutants of a mode go through
one `--split-input-file` invocation, and a crash is bisected to the one mutant
that causes it, saved with the command that reproduces it. `VTILE_OPT_MUTANTS`
sets how many mutants go through the verifier (default 1200); the passes get
two thirds as many."""

import bisect
import os
import random
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

VTILE_OPT = Path(sys.executable).parent / "vtile-opt"
TESTS = Path(__file__).parents[1]
SPLIT = "\n// -----\n"
MUTANTS = int(os.environ.get("VTILE_OPT_MUTANTS", "1200"))
PASSES = ("builtin.module(func.func(dataflow-form-kernels,dataflow-materialize-tile-loops,"
          "tile-lower-loops,dataflow-inline-kernels))")  # fmt: skip
CRASH_MARKERS = ("Stack dump", "LLVM ERROR", "Assertion", "UNREACHABLE",
                 "PLEASE submit a bug report")  # fmt: skip
# A line that mentions our dialects, and one that holds our op or attribute.
OURS = re.compile(r"\b(tile|dataflow)\.")
OUR_OP = re.compile(r"\s*(%[^=]*=\s*)?#?(tile|dataflow)\.")
# A lone integer: not part of a name (%c1, d0, f32), a shape (1x8) or a float (0.5, 1.0e-05).
INTEGER = re.compile(r"(?<![\w%#.-])-?\d+(?![\w.])")
SSA_NAME = re.compile(r"%[\w$.]+")
TYPE = re.compile(r"\b(?:tensor|memref|vector)<[^<>]*>")
DIMENSION = re.compile(r"(?<=[<x])(?:\d+|\?)(?=x)")


def sources() -> list[str]:
    """The `// -----` chunks of the tests whose IR uses our dialects, comments dropped."""
    files = [TESTS / "Dialect/Dataflow/ops.mlir", TESTS / "Dialect/Tile/ops.mlir"]
    files += sorted((TESTS / "Transforms").glob("*.mlir"))
    chunks = []
    for path in files:
        for chunk in path.read_text().split("// -----"):
            lines = [line for line in chunk.splitlines() if not line.lstrip().startswith("//")]
            text = "\n".join(lines).strip()
            if OURS.search(text):
                chunks.append(text)
    return chunks


def line_at(text: str, position: int) -> str:
    end = text.find("\n", position)
    return text[text.rfind("\n", 0, position) + 1 : end if end >= 0 else None]


def pick(rng: random.Random, text: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """One of `spans`, usually one on a line with a `tile.` or `dataflow.` op or attribute."""
    ours = [span for span in spans if OURS.search(line_at(text, span[0]))]
    pool = ours if ours and rng.random() < 0.8 else spans
    return rng.choice(pool) if pool else None


def replace(text: str, span: tuple[int, int], new: str) -> str:
    return text[: span[0]] + new + text[span[1] :]


def change_integer(rng: random.Random, text: str) -> str | None:
    span = pick(rng, text, [m.span() for m in INTEGER.finditer(text)])
    if span is None:
        return None
    old = int(text[span[0] : span[1]])
    values = [0, -1, 2**31, old + 1, old - 1]
    # Only our ops are held to INT64_MAX: upstream verifiers (tensor.pad, linalg
    # convolutions) overflow on it.
    if OUR_OP.match(line_at(text, span[0])):
        values.append(2**63 - 1)
    new = rng.choice([v for v in values if v != old])
    return replace(text, span, str(new))


def change_dimension(rng: random.Random, text: str) -> str | None:
    dims = [(t.start() + d.start(), t.start() + d.end())
            for t in TYPE.finditer(text) for d in DIMENSION.finditer(t.group())]  # fmt: skip
    span = pick(rng, text, dims)
    if span is None:
        return None
    old = text[span[0] : span[1]]
    doubled = str(2 * int(old)) if old.isdigit() else "8"
    return replace(text, span, rng.choice([v for v in ("0", "1", "3", "?", doubled) if v != old]))


def swap_names(rng: random.Random, text: str) -> str | None:
    """Two occurrences of different SSA names trade places."""
    spans = [m.span() for m in SSA_NAME.finditer(text)]
    first = pick(rng, text, spans)
    if first is None:
        return None
    others = [s for s in spans if text[s[0] : s[1]] != text[first[0] : first[1]]]
    if not others:
        return None
    (a, b), (c, d) = sorted([first, rng.choice(others)])
    return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]


def list_elements(text: str) -> list[tuple[int, int]]:
    """Each element, with one separating comma, of every comma-separated `[...]`,
    `<...>` and `{...}`: attribute entries and parameters, list elements, indices.
    A `{` that ends its line opens a region, whose commas separate nothing."""
    elements = []
    stack: list[tuple[str, list[int]]] = []  # each open bracket and the commas in it
    in_string = False
    for i, char in enumerate(text):
        if char == '"':
            in_string = not in_string
        elif in_string or text[i - 1 : i + 1] == "->":
            continue
        elif char in "([{<":
            region = char == "{" and not text[i + 1 :].split("\n", 1)[0].strip()
            stack.append(("region" if region else char, [i]))
        elif char == "," and stack:
            stack[-1][1].append(i)
        elif char in ")]}>" and stack:
            kind, cuts = stack.pop()
            if kind in ("[", "<", "{") and len(cuts) > 1:
                cuts.append(i)
                elements.append((cuts[0] + 1, cuts[1] + 1))
                elements += zip(cuts[1:-1], cuts[2:])
    return elements


def drop_element(rng: random.Random, text: str) -> str | None:
    span = pick(rng, text, list_elements(text))
    return None if span is None else replace(text, span, "")


def duplicate_or_drop_line(rng: random.Random, text: str) -> str | None:
    span = pick(rng, text, [m.span() for m in re.finditer(r"^.*\S.*$", text, re.M)])
    if span is None:
        return None
    line = text[span[0] : span[1]]
    return replace(text, span, rng.choice(["", f"{line}\n{line}"]))


MUTATIONS: list[Callable[[random.Random, str], str | None]] = [
    change_integer, change_dimension, swap_names, drop_element, duplicate_or_drop_line,
]  # fmt: skip


def mutants(seed: int, count: int) -> list[str]:
    """`count` sources with one mutation each."""
    rng = random.Random(seed)
    chunks = sources()
    result = []
    while len(result) < count:
        source = rng.choice(chunks)
        mutant = rng.choice(MUTATIONS)(rng, source)
        if mutant is not None:
            assert mutant != source, f"a mutation left this unchanged:\n{source}"
            result.append(mutant)
    return result


def vtile_opt(path: Path, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    command = [VTILE_OPT, path, "--split-input-file", "-o", os.devnull, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def crash(result: subprocess.CompletedProcess[str]) -> str | None:
    """Why `result` is a crash rather than a pass (0) or diagnostics (1), if it is."""
    if result.returncode not in (0, 1):
        return f"exit status {result.returncode}"
    return next((f"{m!r} in its output" for m in CRASH_MARKERS if m in result.stderr), None)


def first_crashing(chunks: list[str], path: Path, args: tuple[str, ...]) -> tuple[str, str] | None:
    """The first chunk that crashes `vtile-opt` on its own, left in `path`, and its output."""
    while len(chunks) > 1:
        half = chunks[: len(chunks) // 2]
        path.write_text(SPLIT.join(half))
        chunks = half if crash(vtile_opt(path, args)) else chunks[len(half) :]
    path.write_text(chunks[0])
    result = vtile_opt(path, args)
    return (chunks[0], result.stderr) if crash(result) else None


def rejected(path: Path, chunks: list[str], stderr: str) -> set[int]:
    """The chunks of `path` with an `error:` located in them."""
    starts = [1]
    for chunk in chunks[:-1]:
        starts.append(starts[-1] + chunk.count("\n") + 2)
    lines = re.findall(rf"^{re.escape(str(path))}:(\d+):\d+: error:", stderr, re.M)
    return {bisect.bisect_right(starts, int(line)) - 1 for line in lines}


@pytest.mark.parametrize(
    ("seed", "count", "args"),
    [(1, MUTANTS, ()), (2, MUTANTS * 2 // 3, (f"--pass-pipeline={PASSES}",))],
    ids=["verifier", "passes"],
)
def test_mutants_get_diagnostics_not_crashes(seed, count, args, tmp_path):
    chunks = mutants(seed, count)
    path = tmp_path / "mutants.mlir"
    path.write_text(SPLIT.join(chunks))
    result = vtile_opt(path, args)
    reason = crash(result)
    if reason:
        single = tmp_path / "crash.mlir"
        found = first_crashing(chunks, single, args)
        command = shlex.join(map(str, [VTILE_OPT, "--split-input-file", *args]))
        if found:
            culprit = f"alone, {command} {single} crashes on\n{found[0]}\n{found[1][:3000]}"
        else:
            culprit = f"no mutant crashes alone\n{result.stderr[-3000:]}"
        pytest.fail(f"{command} {path}: {reason}; {culprit}", pytrace=False)
    # Most mutants are invalid; if few get an error, the mutations stopped mutating.
    errors = rejected(path, chunks, result.stderr)
    assert len(errors) >= count // 4, f"only {len(errors)} of {count} mutants rejected"
