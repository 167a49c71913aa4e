//===- DataflowOps.td - kernels and transfers --------------*- tablegen -*-===//

#ifndef VTILE_DATAFLOW_OPS_TD
#define VTILE_DATAFLOW_OPS_TD

include "dialects/Dataflow/IR/DataflowAttrs.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Dataflow_KernelOp : Dataflow_Op<"kernel", [IsolatedFromAbove,
    RecursiveMemoryEffects, SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "A fusion group: layers computed together, tile by tile.";
  let description = [{
    A node of the dataflow graph. The body sees only its block arguments,
    one per `inputs` operand with the same type, and yields the kernel's
    results. Whole intermediate tensors of the body never leave it: after
    planning, the body computes its outputs tile by tile (`tile.loop`).

    `plan`, once the planner has run, records its decisions; the verifier
    checks that they are consistent with the kernel's types.

    ```mlir
    %y = dataflow.kernel ins(%x, %w : tensor<1x16x56x56xf32>,
                                      tensor<32x16x3x3xf32>)
        plan #dataflow.plan<tile = [1, 32, 8, 8],
                            halos = [#dataflow.halo<low = [0, 0, 1, 1],
                                                    high = [0, 0, 1, 1]>,
                                     #dataflow.halo<low = [0, 0, 0, 0],
                                                    high = [0, 0, 0, 0]>],
                            order = [0, 1, 2, 3], device = "cpu",
                            peak_bytes = 65536, recompute = 1.0>
        -> tensor<1x32x56x56xf32> {
    ^bb0(%in: tensor<1x16x56x56xf32>, %filter: tensor<32x16x3x3xf32>):
      ...
      dataflow.yield %conv : tensor<1x32x56x56xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                       OptionalAttr<Dataflow_PlanAttr>:$plan);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`ins` `(` $inputs^ `:` type($inputs) `)`)? (`plan` $plan^)?
    attr-dict-with-keyword (`->` type($results)^)? $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def Dataflow_YieldOp : Dataflow_Op<"yield", [Pure, Terminator,
    HasParent<"KernelOp">, ReturnLike]> {
  let summary = "Returns the results of a `dataflow.kernel`.";
  let description = [{
    ```mlir
    dataflow.yield %conv : tensor<1x32x56x56xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
  let builders = [OpBuilder<(ins), [{ }]>];
}

def Dataflow_TransferOp : Dataflow_Op<"transfer", [Pure,
    AllTypesMatch<["source", "result"]>]> {
  let summary = "Moves a tensor between the devices of two kernels.";
  let description = [{
    Marks a graph edge that crosses devices: `source`, placed on `from`,
    is copied to `to`. A source produced by a planned kernel must come from
    the device that kernel is placed on.

    ```mlir
    %g = dataflow.transfer %y from "cpu" to "gpu" : tensor<1x32x56x56xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$source, StrAttr:$from, StrAttr:$to);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $source `from` $from `to` $to attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

#endif // VTILE_DATAFLOW_OPS_TD
