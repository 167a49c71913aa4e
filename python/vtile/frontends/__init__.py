"""Front ends: models in, linalg-on-tensors modules in a vtile context out."""
