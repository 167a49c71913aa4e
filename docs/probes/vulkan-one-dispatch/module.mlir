// Two 3x3 NCHW convolutions (valid), each followed by bias+ReLU, as ONE flow.dispatch.region.
// x: 1x4x20x20 -> conv1 -> 1x4x18x18 -> +b1,relu -> conv2 -> 1x4x16x16 -> +b2,relu
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
module attributes {hal.device.targets = [#hal.device.target<"vulkan", [#hal.executable.target<"vulkan-spirv", "vulkan-spirv-fb", {iree_codegen.target_info = #iree_gpu.target<arch = "lavapipe", features = "spirv:v1.6,cap:Shader", wgp = <compute = fp32|fp16|int32|int16|int8, storage = b64|b32|b16|b8, subgroup = shuffle|arithmetic, dot = dp4xi8toi32, subgroup_size_choices = [8], max_workgroup_sizes = [512, 512, 512], max_thread_count_per_workgroup = 512, max_workgroup_memory_bytes = 32768, max_workgroup_counts = [65535, 65535, 65535]>>}>]> : !hal.device]} {
  func.func @main(%x: tensor<1x4x20x20xf32>, %w1: tensor<4x4x3x3xf32>, %b1: tensor<4xf32>,
                  %w2: tensor<4x4x3x3xf32>, %b2: tensor<4xf32>) -> tensor<1x4x16x16xf32> {
    %r = flow.dispatch.region -> (tensor<1x4x16x16xf32>) {
      %zero = arith.constant 0.0 : f32
      %e18 = tensor.empty() : tensor<1x4x18x18xf32>
      %f1 = linalg.fill {vk.role = "fill1"} ins(%zero : f32) outs(%e18 : tensor<1x4x18x18xf32>) -> tensor<1x4x18x18xf32>
      %c1 = linalg.conv_2d_nchw_fchw {vk.role = "conv1", dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
              ins(%x, %w1 : tensor<1x4x20x20xf32>, tensor<4x4x3x3xf32>) outs(%f1 : tensor<1x4x18x18xf32>) -> tensor<1x4x18x18xf32>
      %e18b = tensor.empty() : tensor<1x4x18x18xf32>
      %a1 = linalg.generic {vk.role = "act1", indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
              ins(%c1, %b1 : tensor<1x4x18x18xf32>, tensor<4xf32>) outs(%e18b : tensor<1x4x18x18xf32>) {
      ^bb0(%in: f32, %b: f32, %out: f32):
        %s = arith.addf %in, %b : f32
        %m = arith.maximumf %s, %zero : f32
        linalg.yield %m : f32
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
