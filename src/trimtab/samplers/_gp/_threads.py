"""Run the GP's many small linear-algebra calls on one BLAS thread.

With a multi-threaded OpenBLAS, each small matrix operation wakes a thread pool; on a busy
machine that costs far more than the arithmetic (measured here: ~30x slower per trial).
"""

from __future__ import annotations

import contextlib
from typing import Any

_controller: Any = None


def single_threaded_blas() -> contextlib.AbstractContextManager[Any]:
    """Context manager limiting BLAS to one thread (a no-op without ``threadpoolctl``)."""
    global _controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return contextlib.nullcontext()
    if _controller is None:
        # SciPy ships its own OpenBLAS: load it first so the controller sees both libraries.
        import scipy.linalg  # noqa: F401
        import scipy.optimize  # noqa: F401

        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")
