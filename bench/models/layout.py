"""The layout axis: padded batches (the default) or `pack_padded_sequence` over real lengths.

Lengths are drawn uniformly from [ceil(T/2), T] with `torch.Generator().manual_seed(0)`, one per
batch element, so every run of a case sees the same lengths. A packed case times the pack, the
RNN over packed data and the unpack back to a (batch, T, D*H) padded output; the padded case runs
the RNN over all T steps of every element.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

LENGTHS_SEED = 0


def lengths(batch: int, seq_len: int, seed: int = LENGTHS_SEED) -> Tensor:
    """Seeded sequence lengths, uniform in [ceil(seq_len / 2), seq_len] (int64, on CPU)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(math.ceil(seq_len / 2), seq_len + 1, (batch,), generator=gen)


class PackedOutput(nn.Module):
    """Pack the batch by `lengths`, run the RNN, unpack: the output sequence, padded with zeros."""

    def __init__(self, rnn: nn.RNNBase, lengths: Tensor) -> None:
        super().__init__()
        self.rnn = rnn
        self.lengths = lengths  # a plain attribute, not a buffer: pack wants lengths on the CPU

    def forward(self, x: Tensor) -> Tensor:
        packed = pack_padded_sequence(x, self.lengths, batch_first=True, enforce_sorted=False)
        output, _ = pad_packed_sequence(
            self.rnn(packed)[0], batch_first=True, total_length=x.size(1)
        )
        return output
