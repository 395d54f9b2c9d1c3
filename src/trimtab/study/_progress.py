"""The tqdm progress bar of ``Study.optimize(show_progress_bar=True)``."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trimtab.study._study import Study


class ProgressBar:
    """Counts finished trials (or elapsed seconds when only a timeout is given)."""

    def __init__(self, enabled: bool, n_trials: int | None, timeout: float | None) -> None:
        self._bar: Any = None
        self._by_time = n_trials is None and timeout is not None
        self._timeout = timeout
        self._lock = threading.Lock()
        self._shown_seconds = 0.0
        if not enabled:
            return
        from tqdm.auto import tqdm

        if self._by_time:
            self._bar = tqdm(total=timeout, bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s")
        else:
            self._bar = tqdm(total=n_trials)

    def update(self, elapsed_seconds: float, study: Study) -> None:
        """Advance by one finished trial, showing the best value so far."""
        if self._bar is None:
            return
        with self._lock:
            if not study._is_multi_objective():
                try:
                    best = study._storage.get_best_trial(study._study_id)
                    self._bar.set_description(
                        f"Best trial: {best.number}. Best value: {best.value:.6g}"
                    )
                except ValueError:
                    pass
            if self._by_time:
                assert self._timeout is not None
                target = min(elapsed_seconds, self._timeout)
                self._bar.update(target - self._shown_seconds)
                self._shown_seconds = target
            else:
                self._bar.update(1)

    def close(self) -> None:
        """Close the bar (no-op when disabled)."""
        if self._bar is not None:
            self._bar.close()
