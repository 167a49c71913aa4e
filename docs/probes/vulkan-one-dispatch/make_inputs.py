import numpy as np
rng = np.random.default_rng(0)
x = rng.standard_normal((1, 4, 20, 20)).astype(np.float32)
w1 = (rng.standard_normal((4, 4, 3, 3)) * 0.3).astype(np.float32)
b1 = (rng.standard_normal(4) * 0.1).astype(np.float32)
w2 = (rng.standard_normal((4, 4, 3, 3)) * 0.3).astype(np.float32)
b2 = (rng.standard_normal(4) * 0.1).astype(np.float32)
def conv(a, w):  # NCHW valid 3x3, float64
    n, c, h, ww = a.shape; f = w.shape[0]
    out = np.zeros((n, f, h - 2, ww - 2))
    for kh in range(3):
        for kw in range(3):
            out += np.einsum("nchw,fc->nfhw", a[:, :, kh:kh + h - 2, kw:kw + ww - 2], w[:, :, kh, kw])
    return out
a1 = np.maximum(conv(x.astype(np.float64), w1) + b1[None, :, None, None], 0)
ref = np.maximum(conv(a1, w2) + b2[None, :, None, None], 0)
for name, v in dict(x=x, w1=w1, b1=b1, w2=w2, b2=b2).items():
    np.save(f"{name}.npy", v)
np.save("ref.npy", ref.astype(np.float32))
# Padded variant (module_pad.mlir): two 3x3 convs with padding 1 on a 16x16 input.
xs = x[:, :, 2:18, 2:18].copy()
xsp = np.pad(xs.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
a1p = np.pad(np.maximum(conv(xsp, w1) + b1[None, :, None, None], 0), ((0, 0), (0, 0), (1, 1), (1, 1)))
refp = np.maximum(conv(a1p, w2) + b2[None, :, None, None], 0)
np.save("xs.npy", xs)
np.save("ref_pad.npy", refp.astype(np.float32))
