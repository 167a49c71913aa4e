"""`path/to/file.py:factory` model files, good and bad, for CLI tests."""

FACTORY = """
import torch

def make():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                                torch.nn.Linear(4 * 6 * 6, 5))
    return model, torch.randn(1, 3, 8, 8)

def nothing():
    model = torch.nn.ReLU()

def broken():
    raise RuntimeError("weights file missing")

class DataDependent(torch.nn.Module):
    def forward(self, x):
        return x * 2 if x.sum() > 0 else x

def data_dependent():
    return DataDependent(), torch.randn(4)
"""
