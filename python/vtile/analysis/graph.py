"""The op graph of a function: its activation ops in program order, their
producers, result sizes and window accesses.

Constant subgraphs (weights, `tensor.empty`, fills, parameter reshapes) are
not nodes: they cost no activation memory and `dataflow-form-kernels`
clones them into every kernel that uses them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from mlir import ir
from mlir.dialects import linalg

from vtile.analysis.windows import (
    Access,
    Box,
    LinalgAccess,
    LinearExpr,
    NotDerivable,
    PadAccess,
    box_volume,
    full_box,
)

GRAPH_INPUT = -1  # producer of a function argument


@dataclass
class OpNode:
    index: int
    operation: ir.Operation
    name: str
    result_shape: tuple[int, ...]
    element_bytes: int  # of the result; 0 without a tensor result
    # Per operand: the producing node, GRAPH_INPUT, or None for constants.
    producers: list[int | None]
    operand_values: list[ir.Value]
    access: Access | None  # None: no window can be derived
    reason: str = ""  # why `access` is None

    @cached_property  # asked for on every walk of the planner's search
    def result_bytes(self) -> int:
        return box_volume(full_box(self.result_shape)) * self.element_bytes

    @property
    def where(self) -> str:
        """Where the op is in its source, for messages: "line 12"."""
        location = self.operation.location
        return f"line {location.start_line}" if location.is_a_file() else str(location)

    @property
    def fusible(self) -> bool:
        return self.access is not None

    def work(self, box: Box | None = None) -> int:
        if self.access is None:
            return 0
        return self.access.work(box or self.result_box)

    @cached_property  # the planner asks for each group's work without halos
    def result_box(self) -> Box:
        return full_box(self.result_shape)


@dataclass
class OpGraph:
    function: ir.Operation
    nodes: list[OpNode]
    argument_bytes: int
    users: dict[int, list[int]] = field(default_factory=dict)  # node -> consumer nodes
    returned: set[int] = field(default_factory=set)  # nodes whose result is returned
    # Keeps the module alive: nodes hold its operations and values.
    module: ir.Module | None = None
    # Weights: the function's tensor constants that are not splats (IREE
    # materialises a splat as a fill, not as data).
    constant_bytes: int = 0

    def consumers(self, index: int) -> list[int]:
        return self.users.get(index, [])


def element_bytes(element_type: ir.Type) -> int:
    """Bytes per element; `index` has no width and is 64-bit on IREE's hosts."""
    width = getattr(element_type, "width", None) or 64
    return (width + 7) // 8


def tensor_bytes(value_type: ir.Type) -> int:
    tensor = ir.RankedTensorType(value_type)
    return box_volume(full_box(tensor.shape)) * element_bytes(tensor.element_type)


def build_graph(module: ir.Module, function_name: str) -> OpGraph:
    """The graph of `@function_name`."""
    function = _function(module.operation, function_name)
    block = function.regions[0].blocks[0]

    constant: dict[ir.Value, bool] = {}
    producer_of: dict[ir.Value, int] = {}
    nodes: list[OpNode] = []
    returned: set[int] = set()
    constant_bytes = 0
    for op in block.operations:
        op = op.operation
        if op.name == "func.return":
            returned = {producer_of[v] for v in op.operands if v in producer_of}
            continue
        if _is_constant(op, constant):
            for result in op.results:
                constant[result] = True
            constant_bytes += _weight_bytes(op)
            continue
        # Values read inside the body (e.g. a gather's tensor.extract) are
        # uses too: they keep their producers alive.
        captured = list(dict.fromkeys(v for v in _captured(op) if not constant.get(v, False)))
        values = list(op.operands) + captured
        producers: list[int | None] = []
        for value in values:
            if value in producer_of:
                producers.append(producer_of[value])
            elif isinstance(value.owner, ir.Block):
                producers.append(GRAPH_INPUT)
            else:
                producers.append(None)
        access, reason = _access(op)
        if captured and access is not None:
            access, reason = None, "reads an activation inside its body"
        if len(op.results) != 1 or not isinstance(op.results[0].type, ir.RankedTensorType):
            access, reason = None, "not a single tensor result"
        tensor = op.results[0].type if op.results else None
        is_tensor = isinstance(tensor, ir.RankedTensorType)
        node = OpNode(
            index=len(nodes), operation=op, name=op.name,
            result_shape=tuple(tensor.shape) if is_tensor else (),
            element_bytes=element_bytes(tensor.element_type) if is_tensor else 0,
            producers=producers, operand_values=values,
            access=access, reason=reason,
        )  # fmt: skip
        for result in op.results:
            producer_of[result] = node.index
        nodes.append(node)

    arguments = sum(tensor_bytes(a.type) for a in block.arguments
                    if isinstance(a.type, ir.RankedTensorType))
    return OpGraph(function, nodes, arguments, users_of(nodes), returned, module, constant_bytes)


def users_of(nodes: list[OpNode]) -> dict[int, list[int]]:
    """Per node, the nodes that read its result, each once."""
    users: dict[int, list[int]] = {}
    for node in nodes:
        for producer in node.producers:
            if producer is not None and producer >= 0 and node.index not in users.get(producer, []):
                users.setdefault(producer, []).append(node.index)
    return users


def _weight_bytes(op: ir.Operation) -> int:
    if op.name != "arith.constant" or not isinstance(op.results[0].type, ir.RankedTensorType):
        return 0
    value = op.attributes["value"]
    if isinstance(value, ir.DenseElementsAttr) and value.is_splat:
        return 0
    return tensor_bytes(op.results[0].type)


def _function(root: ir.Operation, name: str) -> ir.Operation:
    for op in root.regions[0].blocks[0].operations:
        if op.operation.name == "func.func" and ir.StringAttr(op.attributes["sym_name"]).value == name:
            return op.operation
    raise KeyError(name)


def _is_constant(op: ir.Operation, constant: dict[ir.Value, bool]) -> bool:
    """Computed from constants alone (no function argument reaches it)."""
    values = list(op.operands) + _captured(op)
    return all(constant.get(v, False) for v in values)


def _captured(op: ir.Operation) -> list[ir.Value]:
    """Values used inside `op`'s regions but defined outside them."""
    inner: set[ir.Value] = set()
    used: list[ir.Value] = []

    def visit(operation: ir.Operation) -> None:
        for region in operation.regions:
            for block in region.blocks:
                inner.update(block.arguments)
                for nested in block.operations:
                    nested = nested.operation
                    inner.update(nested.results)
                    used.extend(nested.operands)
                    visit(nested)

    visit(op)
    return [v for v in used if v not in inner]


def _access(op: ir.Operation) -> tuple[Access | None, str]:
    if op.name == "tensor.pad":
        low = list(ir.DenseI64ArrayAttr(op.attributes["static_low"]))
        if any(v < 0 for v in low):  # dynamic entries
            return None, "dynamic padding"
        source = tuple(ir.RankedTensorType(op.operands[0].type).shape)
        return PadAccess(tuple(low), source), ""
    maps = linalg.get_indexing_maps(op) if op.name.startswith("linalg.") else None
    if maps is None:
        return None, f"{op.name} has no indexing maps"
    if _contains(op, "tensor.extract"):
        return None, "reads with tensor.extract (data-dependent window)"
    try:
        return _linalg_access(op, [ir.AffineMapAttr(m).value for m in maps]), ""
    except NotDerivable as error:
        return None, str(error)


def _contains(op: ir.Operation, name: str) -> bool:
    for region in op.regions:
        for block in region.blocks:
            for nested in block.operations:
                if nested.operation.name == name or _contains(nested.operation, name):
                    return True
    return False


def _linalg_access(op: ir.Operation, maps: list[ir.AffineMap]) -> LinalgAccess:
    operands = list(op.operands)
    ranges: dict[int, int] = {}
    for affine_map, value in zip(maps, operands, strict=True):
        shape = ir.RankedTensorType(value.type).shape
        for expr, size in zip(affine_map.results, shape):
            if isinstance(expr, ir.AffineDimExpr):
                ranges.setdefault(expr.position, size)
    loops = maps[0].n_dims
    if len(ranges) != loops:
        raise NotDerivable("some loop's range follows from no operand dimension")
    result_map = maps[-1]
    if not all(isinstance(e, ir.AffineDimExpr) for e in result_map.results):
        raise NotDerivable("the result's indexing map is not a projection of loops")
    return LinalgAccess(
        loop_ranges=tuple(ranges[i] for i in range(loops)),
        result_loops=tuple(e.position for e in result_map.results),
        inputs=tuple(tuple(_linear(e) for e in m.results) for m in maps),
    )


def _linear(expr: ir.AffineExpr) -> LinearExpr:
    if isinstance(expr, ir.AffineDimExpr):
        return LinearExpr(((expr.position, 1),), 0)
    if isinstance(expr, ir.AffineConstantExpr):
        return LinearExpr((), expr.value)
    if isinstance(expr, ir.AffineAddExpr):
        a, b = _linear(expr.lhs), _linear(expr.rhs)
        coefficients: dict[int, int] = dict(a.coefficients)
        for loop, c in b.coefficients:
            coefficients[loop] = coefficients.get(loop, 0) + c
        return LinearExpr(tuple(sorted(coefficients.items())), a.constant + b.constant)
    if isinstance(expr, ir.AffineMulExpr):
        a, b = _linear(expr.lhs), _linear(expr.rhs)
        if b.coefficients and a.coefficients:
            raise NotDerivable(f"non-linear access {expr}")
        scale, term = (b.constant, a) if not b.coefficients else (a.constant, b)
        return LinearExpr(tuple((l, c * scale) for l, c in term.coefficients), term.constant * scale)
    raise NotDerivable(f"access {expr} is not a sum of loops times constants")
