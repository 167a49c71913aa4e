"""Liveness: the bytes live at each step of an order. The one walk behind
every memory count the planner makes: the search's profile
(`vtile.planner.memory`), the kernel graph's schedules and arenas
(`vtile.planner.schedule`) and MCUNet's accounting
(`vtile.planner.mcunet_accounting`).

A value is live from the first step that writes it (from the first step,
if none does: a function input) to the last step that reads it, or to the
end if it is held (a returned value). What differs between the counts is
their accounting rules, which are the walk's parameters:
- what a step is (an op, a fusion group, a kernel), what it writes and
  what it reads;
- each value's size (its type's width, or one byte per element as the
  int8 literature counts; a value without one is not counted);
- which values share memory (views, results written in place): a
  storage holds, at each step, the largest of its values live then;
- what a step holds only while it runs (a tile's buffers)."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import NamedTuple

Key = Hashable  # a value: a graph node, a buffer, a function argument
Span = tuple[int, int]  # the first and last step a value is live, inclusive


class Step(NamedTuple):
    writes: tuple[Key, ...]
    reads: tuple[Key, ...]
    during: int = 0  # bytes held only while the step runs


def spans(steps: Sequence[Step], held: Collection[Key] = ()) -> dict[Key, Span]:
    """Per value, the steps it is live in (module docstring)."""
    found: dict[Key, Span] = {}
    for position, step in enumerate(steps):
        for key in (*step.writes, *step.reads):
            span = found.get(key)
            if span is None:
                found[key] = (position if key in step.writes else 0, position)
            else:
                found[key] = (span[0], position)
    end = len(steps) - 1
    for key in held:
        if key in found:
            found[key] = (found[key][0], end)
    return found


def live_bytes(steps: Sequence[Step], sizes: Mapping[Key, int],
               lived: Mapping[Key, Span] | None = None,
               storage: Mapping[Key, Hashable] | None = None) -> list[int]:
    """The bytes live while each step runs: every sized value over its span
    (`lived`, else `spans(steps)`), where values share a `storage` only
    its largest live one, and each step's `during`."""
    lived = spans(steps) if lived is None else lived
    change = [0] * (len(steps) + 1)  # bytes that start (+) or stop (-) being live
    shared: dict[Hashable, list[tuple[int, int, int]]] = {}
    for key, (first, last) in lived.items():
        size = sizes.get(key, 0)
        if not size:
            continue
        if storage is None:
            change[first] += size
            change[last + 1] -= size
        else:
            shared.setdefault(storage[key], []).append((first, last, size))
    for values in shared.values():
        if len(values) == 1:
            ((first, last, size),) = values
            change[first] += size
            change[last + 1] -= size
            continue
        for position in range(min(v[0] for v in values), max(v[1] for v in values) + 1):
            largest = max((size for first, last, size in values if first <= position <= last),
                          default=0)
            change[position] += largest
            change[position + 1] -= largest
    live, running = [], 0
    for position, step in enumerate(steps):
        running += change[position]
        live.append(running + step.during)
    return live
