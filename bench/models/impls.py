"""The `impl` axis: turn a model built around nn.LSTM / nn.GRU into the implementation a case times.

Every implementation starts from the fused module's weights (copied), so all of them compute the
same function and tests compare them directly:
- `fused`: the module as built (cuDNN on CUDA when enabled; oneDNN or the native kernel on CPU);
- `cell_loop`: nn.LSTMCell / nn.GRUCell called per time step from Python (`rnnbench.models.loops`);
- `scripted`: the custom loop (input projection for all steps in one product) under TorchScript;
- `compiled`: torch.compile of the whole model with dynamo's `allow_rnn` on, so nn.LSTM / nn.GRU
  is traced (decomposed) and compiled; without it dynamo graph-breaks and runs the eager kernel;
- `compiled_loop`: torch.compile of the model with the custom loop in place of the fused layer.
Compilation happens lazily in the first call; the runner times that first round separately.
Each compiled case starts from a reset dynamo cache, and hitting dynamo's recompile limit is an
error rather than a silent fall-back to eager, so a compiled case never times eager code unawares.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor, nn

from rnnbench.models import loops

COMPILED = ("compiled", "compiled_loop")
COMPILE_BACKEND = "inductor"


class CompileFailed(RuntimeError):
    """A compiled implementation failed to compile or to run: recorded with its reason, not a crash."""


class AllowRNN(nn.Module):
    """Calls a torch.compile'd module with dynamo's RNN support switched on."""

    def __init__(self, compiled: nn.Module) -> None:
        super().__init__()
        self.compiled = compiled

    def forward(self, x: Tensor) -> Tensor:
        with torch._dynamo.config.patch(allow_rnn=True, fail_on_recompile_limit_hit=True):
            return self.compiled(x)


def loop_for(rnn: nn.RNNBase, impl: str) -> nn.Module:
    """A loop implementation of `rnn` with its call signature and a copy of its weights."""
    if impl == "cell_loop":
        return loops.LoopRNN(rnn, loops.stack_from(rnn, loops.CellDirection))
    core: nn.Module = loops.stack_from(rnn, loops.ProjectedDirection)
    if impl == "scripted":
        with warnings.catch_warnings():  # TorchScript is deprecated upstream; it is what we measure
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.filterwarnings("ignore", message=".*torch.jit.script.*is deprecated")
            core = torch.jit.script(core)
    return loops.LoopRNN(rnn, core)


def apply(model: nn.Module, impl: str) -> nn.Module:
    """`model` (which holds its recurrent layer as `.rnn`, possibly inside wrappers) as `impl`.
    Compiled impls use the backend named by `COMPILE_BACKEND` (tests swap in a cheaper one)."""
    if impl in ("cell_loop", "scripted", "compiled_loop"):
        holder = next(m for m in model.modules() if isinstance(getattr(m, "rnn", None), nn.RNNBase))
        rnn = holder.rnn
        assert isinstance(rnn, nn.RNNBase)  # as selected
        holder.rnn = loop_for(rnn, impl)
    if impl in COMPILED:
        torch._dynamo.reset()
        compiled = torch.compile(model, backend=COMPILE_BACKEND)
        assert isinstance(compiled, nn.Module)  # an OptimizedModule: the stub says only Callable
        return AllowRNN(compiled)
    return model
