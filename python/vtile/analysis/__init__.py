"""Facts read off linalg-on-tensors IR: the op graph of a function, and how
an output tile of each op maps to windows of its inputs."""
