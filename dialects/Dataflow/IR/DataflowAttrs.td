//===- DataflowAttrs.td - fusion-group plans ---------------*- tablegen -*-===//

#ifndef VTILE_DATAFLOW_ATTRS_TD
#define VTILE_DATAFLOW_ATTRS_TD

include "dialects/Dataflow/IR/DataflowDialect.td"
include "dialects/Common/DoubleParameter.td"
include "mlir/IR/AttrTypeBase.td"

class Dataflow_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Dataflow_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Dataflow_HaloAttr : Dataflow_Attr<"Halo", "halo"> {
  let summary = "Extra input elements an output tile needs on each side.";
  let description = [{
    For one kernel input, per dimension, how many elements beyond the
    tile's own extent the receptive field reaches below (`low`) and above
    (`high`). Neighbouring tiles recompute these elements instead of
    keeping an intermediate tensor alive.

    ```mlir
    #dataflow.halo<low = [0, 0, 2, 2], high = [0, 0, 2, 2]>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "halo below the tile, per dimension">:$low,
    ArrayRefParameter<"int64_t", "halo above the tile, per dimension">:$high
  );
  let assemblyFormat = [{
    `<` `low` `=` `[` $low `]` `,` `high` `=` `[` $high `]` `>`
  }];
  let genVerifyDecl = 1;
}

def Dataflow_PlanAttr : Dataflow_Attr<"Plan", "plan"> {
  let summary = "The planner's decisions for one fusion group.";
  let description = [{
    - `tile`: output tile sizes, one per dimension of every kernel result;
    - `halos`: one `#dataflow.halo` per kernel input;
    - `order`: tile loop order over the output dimensions, outermost first;
    - `device`: the device the kernel is placed on;
    - `peak_bytes`: the planner's estimate of the kernel's peak memory;
    - `recompute`: work done including halo recomputation divided by the
      work without it (1.0 means no recomputation; below 1.0 when the strips
      skip producer rows that no consumer reads);
    - `lowering`: how the group reaches IREE: `"tile-loops"` (the default,
      omitted when printed) computes it one tile at a time in vtile's own
      loops, each op of a tile its own IREE dispatch;
      `"dispatch"` makes the whole group one IREE dispatch, tiled inside.

    ```mlir
    #dataflow.plan<tile = [1, 32, 8, 8],
                   halos = [#dataflow.halo<low = [0, 0, 2, 2],
                                           high = [0, 0, 2, 2]>],
                   order = [0, 1, 2, 3], device = "cpu",
                   peak_bytes = 81920, recompute = 1.56>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "output tile sizes">:$tile_sizes,
    ArrayRefParameter<"HaloAttr", "halo per kernel input">:$halos,
    ArrayRefParameter<"int64_t", "loop order, outermost first">:$order,
    StringRefParameter<"device placement">:$device,
    "int64_t":$peak_bytes,
    DoubleParameter<"recompute ratio">:$recompute,
    StringRefParameter<"how the group is lowered", "\"tile-loops\"">:$lowering
  );
  let assemblyFormat = [{
    `<` `tile` `=` `[` $tile_sizes `]` `,` `halos` `=` `[` $halos `]` `,`
    `order` `=` `[` $order `]` `,` `device` `=` $device `,`
    `peak_bytes` `=` $peak_bytes `,` `recompute` `=` $recompute
    (`,` `lowering` `=` $lowering^)? `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    static constexpr ::llvm::StringLiteral kTileLoops = "tile-loops";
    static constexpr ::llvm::StringLiteral kDispatch = "dispatch";
  }];
}

def Dataflow_SlotAttr : Dataflow_Attr<"Slot", "slot"> {
  let summary = "Where a buffer lives in a function's arena, and when.";
  let description = [{
    A byte range of the function's arena (`#dataflow.memory_plan`) and the
    schedule steps it is live in, inclusive: from the step that first
    writes it to the last step that reads it. `dataflow.buffer` on an op is
    the slot of its result; `dataflow.scratch` on a kernel is the memory its
    tile loops hold while it runs.

    ```mlir
    #dataflow.slot<offset = 4096, bytes = 65536, steps = [2, 5]>
    ```
  }];
  let parameters = (ins "int64_t":$offset, "int64_t":$bytes,
                        "int64_t":$first, "int64_t":$last);
  let assemblyFormat = [{
    `<` `offset` `=` $offset `,` `bytes` `=` $bytes `,`
    `steps` `=` `[` $first `,` $last `]` `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Whether the two slots share a byte while both are live.
    bool overlaps(SlotAttr other) const;
  }];
}

def Dataflow_MemoryPlanAttr : Dataflow_Attr<"MemoryPlan", "memory_plan"> {
  let summary = "A function's execution order and static arena.";
  let description = [{
    On a function whose top-level ops carry `dataflow.step` (the order they
    run in, one step per kernel) and `dataflow.buffer` / `dataflow.scratch`
    slots: the arena size, the alignment of every slot's offset, the peak
    of live bytes the order reaches, and which order it is
    (`"program"` or `"lowest-peak"`). `dataflow-verify-memory-plan` checks
    the plan against the IR; `dataflow-schedule` moves the ops into its order.

    ```mlir
    #dataflow.memory_plan<arena_bytes = 131072, peak_bytes = 131072,
                          alignment = 64, order = "lowest-peak">
    ```
  }];
  let parameters = (ins "int64_t":$arena_bytes, "int64_t":$peak_bytes,
                        "int64_t":$alignment, StringRefParameter<"order">:$order);
  let assemblyFormat = [{
    `<` `arena_bytes` `=` $arena_bytes `,` `peak_bytes` `=` $peak_bytes `,`
    `alignment` `=` $alignment `,` `order` `=` $order `>`
  }];
  let genVerifyDecl = 1;
}

#endif // VTILE_DATAFLOW_ATTRS_TD
