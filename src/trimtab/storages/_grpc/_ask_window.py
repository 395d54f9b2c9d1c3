"""When a client's trial reads may reuse its last ``GetTrials`` instead of sending another.

While a worker samples a new trial, the sampler reads the study several times (the search
space, the finished trials' history, the running trials), with no write in between: Optuna's
own study caches those reads for the trial, and Optuna's client then sends two or three
``GetTrials`` per trial anyway. Here the first read after a thread creates a trial fetches,
and that thread's further reads of the study are answered from it until the thread's next
write (a parameter, the result, anything) or ``SECONDS`` later, whichever comes first. Reads
of other threads, and of a thread that has not just created a trial, always fetch.
"""

from __future__ import annotations

import threading
import time

#: How long one fetch may answer a thread's reads at most.
SECONDS = 1.0


class AskWindow:
    """Per thread: the study whose reads the last fetch still answers, and until when."""

    def __init__(self) -> None:
        self._local = threading.local()

    def created(self, study_id: int) -> None:
        """This thread created a trial of ``study_id``: its next read opens the window."""
        self._local.armed = study_id
        self._local.study = None

    def wrote(self) -> None:
        """This thread wrote something: close the window (and drop an armed one)."""
        self._local.armed = None
        self._local.study = None

    def is_open(self, study_id: int) -> bool:
        """Whether a read of ``study_id`` by this thread may skip fetching."""
        local = self._local
        return getattr(local, "study", None) == study_id and time.monotonic() < local.until

    def fetched(self, study_id: int) -> None:
        """This thread fetched ``study_id``: open the window if a creation armed it."""
        local = self._local
        if getattr(local, "armed", None) == study_id:
            local.armed = None
            local.study = study_id
            local.until = time.monotonic() + SECONDS
