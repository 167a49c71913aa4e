"""The generated op classes import their support code relative to their own
package, as upstream's do; vtile's come from the same upstream module."""

from mlir.dialects._ods_common import *  # noqa: F401,F403
from mlir.dialects._ods_common import _cext  # noqa: F401
