"""rnnbench: benchmark and profile LSTM and GRU in PyTorch."""

__version__ = "0.1.0"
