// Two 3x3 NCHW convolutions (valid), each followed by bias+ReLU, as ONE flow.dispatch.region.
// x: 1x4x16x16 -> tensor.pad 2 (inside the region) -> 1x4x20x20 -> conv1 -> 1x4x18x18 -> +b1,relu -> conv2 -> 1x4x16x16 -> +b2,relu
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
module attributes {hal.device.targets = [#hal.device.target<"vulkan", [#hal.executable.target<"vulkan-spirv", "vulkan-spirv-fb", {iree_codegen.target_info = #iree_gpu.target<arch = "lavapipe", features = "spirv:v1.6,cap:Shader", wgp = <compute = fp32|fp16|int32|int16|int8, storage = b64|b32|b16|b8, subgroup = shuffle|arithmetic, dot = dp4xi8toi32, subgroup_size_choices = [8], max_workgroup_sizes = [512, 512, 512], max_thread_count_per_workgroup = 512, max_workgroup_memory_bytes = 32768, max_workgroup_counts = [65535, 65535, 65535]>>}>]> : !hal.device]} {
  func.func @main(%x: tensor<1x4x16x16xf32>, %w1: tensor<4x4x3x3xf32>, %b1: tensor<4xf32>,
                  %w2: tensor<4x4x3x3xf32>, %b2: tensor<4xf32>) -> tensor<1x4x16x16xf32> {
    %r = flow.dispatch.region -> (tensor<1x4x16x16xf32>) {
      %zero = arith.constant 0.0 : f32
      %xp = tensor.pad %x low[0, 0, 2, 2] high[0, 0, 2, 2] {
      ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
        tensor.yield %zero : f32
      } {vk.role = "pad0"} : tensor<1x4x16x16xf32> to tensor<1x4x20x20xf32>
      %e18 = tensor.empty() : tensor<1x4x18x18xf32>
      %f1 = linalg.fill {vk.role = "fill1"} ins(%zero : f32) outs(%e18 : tensor<1x4x18x18xf32>) -> tensor<1x4x18x18xf32>
      %c1 = linalg.conv_2d_nchw_fchw {vk.role = "conv1", dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
              ins(%xp, %w1 : tensor<1x4x20x20xf32>, tensor<4x4x3x3xf32>) outs(%f1 : tensor<1x4x18x18xf32>) -> tensor<1x4x18x18xf32>
      %e18b = tensor.empty() : tensor<1x4x18x18xf32>
      %a1 = linalg.generic {vk.role = "act1", indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
              ins(%c1, %b1 : tensor<1x4x18x18xf32>, tensor<4xf32>) outs(%e18b : tensor<1x4x18x18xf32>) {
      ^bb0(%in: f32, %b: f32, %out: f32):
        %s = arith.addf %in, %b : f32
        %m = arith.maximumf %s, %zero : f32
        %h = linalg.index 2 : index
        %w = linalg.index 3 : index
        %c0 = arith.constant 0 : index
        %c17 = arith.constant 17 : index
        %h0 = arith.cmpi eq, %h, %c0 : index
        %h1 = arith.cmpi eq, %h, %c17 : index
        %wz = arith.cmpi eq, %w, %c0 : index
        %wl = arith.cmpi eq, %w, %c17 : index
        %o1 = arith.ori %h0, %h1 : i1
        %o2 = arith.ori %wz, %wl : i1
        %border = arith.ori %o1, %o2 : i1
        %v = arith.select %border, %zero, %m : f32
        linalg.yield %v : f32
      } -> tensor<1x4x18x18xf32>
      %e16 = tensor.empty() : tensor<1x4x16x16xf32>
      %f2 = linalg.fill {vk.role = "fill2"} ins(%zero : f32) outs(%e16 : tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
      %c2 = linalg.conv_2d_nchw_fchw {vk.role = "conv2", dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
              ins(%a1, %w2 : tensor<1x4x18x18xf32>, tensor<4x4x3x3xf32>) outs(%f2 : tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
      %e16b = tensor.empty() : tensor<1x4x16x16xf32>
      %a2 = linalg.generic {vk.role = "act2", vk.dispatch = "g0", indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
              ins(%c2, %b2 : tensor<1x4x16x16xf32>, tensor<4xf32>) outs(%e16b : tensor<1x4x16x16xf32>) {
      ^bb0(%in: f32, %b: f32, %out: f32):
        %s = arith.addf %in, %b : f32
        %m = arith.maximumf %s, %zero : f32
        linalg.yield %m : f32
      } -> tensor<1x4x16x16xf32>
      flow.return %a2 : tensor<1x4x16x16xf32>
    }
    return %r : tensor<1x4x16x16xf32>
  }
}
