"""The `dataflow` dialect's op classes (dataflow.kernel, dataflow.yield,
dataflow.transfer), generated from dialects/Dataflow/IR/DataflowOps.td."""

from vtile.dialects._dataflow_ops_gen import *  # noqa: F401,F403
