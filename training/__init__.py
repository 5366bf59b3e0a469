"""PyTorch training, evaluation and export of the vdmz prior (see README.md and NETWORK.md)."""
