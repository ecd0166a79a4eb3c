"""The regression gate: comparison, significance, its table, and its place in a pytest session."""
