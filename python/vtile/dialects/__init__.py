"""Python op classes for vtile's dialects, generated from their .td files."""

from mlir._mlir_libs import _mlir

# The bindings look up the class of an op by importing the module named after
# its dialect from these prefixes; without ours, tile/dataflow ops come back
# as generic OpViews.
if "vtile.dialects" not in _mlir.globals.dialect_search_modules:
    _mlir.globals.append_dialect_search_prefix("vtile.dialects")
