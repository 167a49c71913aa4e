module attributes {transform.with_named_sequence} {
  transform.named_sequence @vk_g0(%variant: !transform.any_op {transform.readonly}) {
    %func = transform.structured.match ops{["func.func"]} in %variant : (!transform.any_op) -> !transform.any_op
    // 1. Workgroups: tile the root (act2) over H,W by 8x8 -> 2x2 workgroups.
    %root = transform.structured.match attributes{vk.role = "act2"} in %variant : (!transform.any_op) -> !transform.any_op
    %t_root, %wg = transform.structured.tile_using_forall %root tile_sizes [0, 0, 8, 8]
        ( mapping = [#gpu.block<y>, #gpu.block<x>] ) : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.iree.populate_workgroup_count_region_using_num_threads_slice %wg : (!transform.any_op) -> ()
    // 2. Fuse producers, consumer first (each workgroup recomputes conv1's halo).
    %c2 = transform.structured.match attributes{vk.role = "conv2"} in %variant : (!transform.any_op) -> !transform.any_op
    %c2f, %wg1 = transform.structured.fuse_into_containing_op %c2 into %wg : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %f2 = transform.structured.match attributes{vk.role = "fill2"} in %variant : (!transform.any_op) -> !transform.any_op
    %f2f, %wg2 = transform.structured.fuse_into_containing_op %f2 into %wg1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %a1 = transform.structured.match attributes{vk.role = "act1"} in %variant : (!transform.any_op) -> !transform.any_op
    %a1f, %wg3 = transform.structured.fuse_into_containing_op %a1 into %wg2 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %c1 = transform.structured.match attributes{vk.role = "conv1"} in %variant : (!transform.any_op) -> !transform.any_op
    %c1f, %wg4 = transform.structured.fuse_into_containing_op %c1 into %wg3 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %f1 = transform.structured.match attributes{vk.role = "fill1"} in %variant : (!transform.any_op) -> !transform.any_op
    %f1f, %wg5 = transform.structured.fuse_into_containing_op %f1 into %wg4 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %p0 = transform.structured.match attributes{vk.role = "pad0"} in %variant : (!transform.any_op) -> !transform.any_op
    %p0f, %wg6 = transform.structured.fuse_into_containing_op %p0 into %wg5 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    // The fused pad guards against a tile lying wholly in the padding; ours never does.
    %guards = transform.structured.match ops{["scf.if"]} in %func : (!transform.any_op) -> !transform.any_op
    transform.foreach %guards : !transform.any_op {
    ^bb0(%guard: !transform.any_op):
      transform.scf.take_assumed_branch %guard take_else_branch : (!transform.any_op) -> ()
    }
    transform.apply_patterns to %func {
      transform.apply_patterns.tensor.fold_tensor_empty
      transform.apply_patterns.linalg.tiling_canonicalization
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    // 3. Threads, one stage per elementwise op: tile it over (channel, row) with
    //    #gpu.thread, and fuse its conv + fill into the same thread loop.
    //    Stage 1: act1 tile is 1x4x10x10 -> 4x10 threads, one row each.
    %a1t = transform.structured.match attributes{vk.role = "act1"} in %func : (!transform.any_op) -> !transform.any_op
    %a1tt, %th1 = transform.structured.tile_using_forall %a1t tile_sizes [0, 1, 1, 0]
        ( mapping = [#gpu.thread<y>, #gpu.thread<x>] ) : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %c1t = transform.structured.match attributes{vk.role = "conv1"} in %func : (!transform.any_op) -> !transform.any_op
    %c1tf, %th1b = transform.structured.fuse_into_containing_op %c1t into %th1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %f1t = transform.structured.match attributes{vk.role = "fill1"} in %func : (!transform.any_op) -> !transform.any_op
    %f1tf, %th1c = transform.structured.fuse_into_containing_op %f1t into %th1b : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    //    Stage 2: act2 tile is 1x4x8x8 -> 4x8 threads.
    %a2t = transform.structured.match attributes{vk.role = "act2"} in %func : (!transform.any_op) -> !transform.any_op
    %a2tt, %th2 = transform.structured.tile_using_forall %a2t tile_sizes [0, 1, 1, 0]
        ( mapping = [#gpu.thread<y>, #gpu.thread<x>] ) : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %c2t = transform.structured.match attributes{vk.role = "conv2"} in %func : (!transform.any_op) -> !transform.any_op
    %c2tf, %th2b = transform.structured.fuse_into_containing_op %c2t into %th2 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %f2t = transform.structured.match attributes{vk.role = "fill2"} in %func : (!transform.any_op) -> !transform.any_op
    %f2tf, %th2c = transform.structured.fuse_into_containing_op %f2t into %th2b : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.apply_patterns to %func {
      transform.apply_patterns.tensor.fold_tensor_empty
      transform.apply_patterns.linalg.tiling_canonicalization
      transform.apply_patterns.scf.for_loop_canonicalization
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    //    Stage 0: the padded input tile (1x4x12x12) -> workgroup memory: a fill, then a copy
    //    of the (border-clamped, dynamic) source window, each over 4x12 threads.
    %pads = transform.structured.match ops{["tensor.pad"]} in %func : (!transform.any_op) -> !transform.any_op
    %pdps = transform.structured.rewrite_in_destination_passing_style %pads : (!transform.any_op) -> !transform.any_op
    %ins = transform.structured.match ops{["tensor.insert_slice"]} in %func : (!transform.any_op) -> !transform.any_op
    %copy = transform.structured.insert_slice_to_copy %ins : (!transform.any_op) -> !transform.any_op
    %copy_t, %th0b = transform.structured.tile_using_forall %copy num_threads [0, 4, 12, 0]
        ( mapping = [#gpu.thread<y>, #gpu.thread<x>] ) : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    // (the DPS rewrite leaves the pad's attributes on its fill)
    %padfill = transform.structured.match attributes{vk.role = "pad0"} in %func : (!transform.any_op) -> !transform.any_op
    %padfill_t, %th0a = transform.structured.tile_using_forall %padfill tile_sizes [0, 1, 1, 0]
        ( mapping = [#gpu.thread<y>, #gpu.thread<x>] ) : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.apply_patterns to %func {
      transform.apply_patterns.linalg.tiling_canonicalization
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    // 4. Per thread: conv rows -> tile the kernel-row reduction to 1, decompose
    //    conv_2d_nchw_fchw -> conv_1d_ncw_fcw, vectorise everything.
    %convs = transform.structured.match ops{["linalg.conv_2d_nchw_fchw"]} in %func : (!transform.any_op) -> !transform.any_op
    transform.foreach %convs : !transform.any_op {
    ^bb0(%c: !transform.any_op):
      %ct, %kh = transform.structured.tile_using_for %c tile_sizes [0, 0, 0, 0, 0, 1, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
      %c1d = transform.structured.decompose %ct : (!transform.any_op) -> !transform.any_op
      // No loop-carried vectors: SPIR-V's vector unrolling does not split scf.for iter_args.
      "transform.loop.unroll"(%kh) <{factor = 3 : i64}> : (!transform.any_op) -> ()
    }
    transform.apply_patterns to %func {
      transform.apply_patterns.linalg.tiling_canonicalization
      transform.apply_patterns.scf.for_loop_canonicalization
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    %vfunc = transform.structured.vectorize_children_and_apply_patterns %func : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %vfunc {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %vfunc : !transform.any_op
    // 5. Bufferize: target_gpu puts every allocation (act1's tile) in workgroup memory.
    transform.iree.eliminate_empty_tensors %variant : (!transform.any_op) -> ()
    %mfunc = "transform.iree.bufferize"(%vfunc) <{target_gpu}> : (!transform.any_op) -> !transform.any_op
    // Only the pad window copy (dynamic sizes) stays scalar; the rest is vectorised.
    %lin = transform.structured.match ops{["linalg.copy"]} in %mfunc : (!transform.any_op) -> !transform.any_op
    %loops = transform.structured.convert_to_loops %lin : (!transform.any_op) -> !transform.any_op
    // 6. Map the foralls: blocks -> workgroup ids, threads -> gpu.thread_id; barriers after each stage.
    transform.iree.forall_to_workgroup %mfunc : (!transform.any_op) -> ()
    transform.iree.map_nested_forall_to_gpu_threads %mfunc workgroup_dims = [12, 4, 1] subgroup_size = 8 : (!transform.any_op) -> ()
    transform.apply_patterns to %mfunc {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %mfunc : !transform.any_op
    transform.yield
  }

  transform.named_sequence @__kernel_config(%module: !transform.any_op {transform.readonly}) {
    %root = transform.structured.match attributes{vk.dispatch = "g0"} in %module : (!transform.any_op) -> !transform.any_op
    %f = "transform.get_parent_op"(%root) <{op_name = "func.func", nth_parent = 1 : i64}> : (!transform.any_op) -> !transform.any_op
    %spec = transform.param.constant #iree_codegen.translation_info<pipeline = #iree_codegen.transform_dialect_codegen codegen_spec = @vk_g0> -> !transform.any_param
    transform.annotate %f "translation_info" = %spec : !transform.any_op, !transform.any_param
    transform.yield
  }
}
