"""The device memory the planner fits one-dispatch groups in: the module's
`#tile.target` (the `tile` dialect's memory levels).

A compiled module carries the target's description unless it brings its
own, as a `.mlir` written for a particular device may; the planner then
reads the capacity of the level a group's intermediate tiles live in, and
iree-compile is held to the same limit."""

from __future__ import annotations

from dataclasses import replace

from mlir import ir

from vtile.backends.targets import (
    MAX_STACK_BYTES,
    STACK_LEVEL,
    TILE_LEVELS,
    TILE_TARGET_ATTR,
    CpuTarget,
    Target,
)
from vtile.context import target_level_capacity
from vtile.errors import UsageError


def stack_capacity(operation: ir.Operation) -> int | None:
    """Bytes the `stack` level of the `#tile.target` in scope holds; None if
    there is none."""
    return target_level_capacity(operation, STACK_LEVEL)


def tile_level_capacity(operation: ir.Operation, device: str) -> int | None:
    """Bytes the level one-dispatch tiles live in on `device` holds
    (`vtile.backends.targets.TILE_LEVELS`); None if the target has none."""
    return target_level_capacity(operation, TILE_LEVELS[device])


def with_memory_levels(module: ir.Module, target: Target) -> Target:
    """Gives `module` the target's `#tile.target` unless it has its own, and
    returns the target with the stack limit the module's levels set."""
    attributes = module.operation.attributes
    if TILE_TARGET_ATTR not in attributes:
        if target.memory_levels is not None:
            attributes[TILE_TARGET_ATTR] = ir.Attribute.parse(target.memory_levels, module.context)
        return target
    stack = stack_capacity(module.operation)
    if not isinstance(target, CpuTarget) or stack is None:
        return target
    if target.stack_bytes not in (MAX_STACK_BYTES, stack):
        raise UsageError(
            f"the module's #tile.target gives its '{STACK_LEVEL}' level {stack} B, "
            f"the stack limit asks for {target.stack_bytes} B; drop one"
        )
    return replace(target, stack_bytes=stack)


def without_memory_levels(module: ir.Module) -> None:
    """Drops the `#tile.target` before the module goes to IREE, which does
    not know the `tile` dialect."""
    if TILE_TARGET_ATTR in module.operation.attributes:
        del module.operation.attributes[TILE_TARGET_ATTR]
