"""The shape of the package: its imports form no circle, and no layer
imports one above it (the planner and the back ends never reach up into
the compiler, the benchmarks or the CLI). Read off the sources with `ast`,
every import counted: at module level, inside functions, and under
TYPE_CHECKING."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "python" / "vtile"

# Low to high: a module imports from its own package or from layers below.
LAYERS = (
    {"errors", "versions"},
    {"outputs", "diagnostics", "context", "numerics", "models"},
    {"dialects"},
    {"frontends", "analysis", "pipeline", "examples"},
    {"backends"},  # targets, iree-compile, the runtime: facts the planner reads
    {"planner"},
    {"named_pipelines"},
    {"compiler"},
    {"bench"},
    {"tables", "onnx_zoo"},
    {"demo"},
    {"cli", "opt", "__init__"},
)
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(module: str) -> str:
    """The layer a module belongs to: its subpackage or top-level module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports() -> dict[str, set[str]]:
    """Per module of the package, the package's modules it imports."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            imported |= {t for t in targets if t in modules and t != name}
        found[name] = imported
    return found


IMPORTS = _imports()


def test_every_package_is_in_a_layer():
    assert {_part(m) for m in IMPORTS} <= set(RANK), {_part(m) for m in IMPORTS} - set(RANK)


@pytest.mark.parametrize("module", sorted(IMPORTS))
def test_no_import_reaches_a_layer_above(module):
    upward = sorted(i for i in IMPORTS[module]
                    if _part(i) != _part(module) and RANK[_part(i)] >= RANK[_part(module)])
    assert not upward, f"{module} imports {upward}, not below its layer '{_part(module)}'"


def test_the_imports_form_no_circle():
    state: dict[str, str] = {}  # "open" while on the walk's path, "done" after

    def walk(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(IMPORTS[module]):
            if state.get(imported) == "open":
                circle = path[path.index(imported):] + [imported]
                pytest.fail("import circle: " + " -> ".join(circle))
            if imported not in state:
                walk(imported, path + [imported])
        state[module] = "done"

    for module in sorted(IMPORTS):
        if module not in state:
            walk(module, [module])


def test_the_check_sees_the_arrows_it_forbids():
    """The walk reads function-local imports: the CLI's lazy ones."""
    assert "vtile.compiler" in IMPORTS["vtile.cli"]
    assert "vtile.planner.plan" in IMPORTS["vtile.named_pipelines"]
