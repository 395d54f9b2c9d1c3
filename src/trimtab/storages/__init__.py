"""Storages: where studies and trials are recorded.

``RDBStorage`` (SQLAlchemy) and the journal storages load on first use, so ``import trimtab``
stays light. ``fail_stale_trials`` and the retry callbacks are study behaviour
(``trimtab.study._stale_trials``), re-exported here under Optuna's names.
"""

from typing import TYPE_CHECKING

from trimtab._lazy import lazy_getattr as _lazy_getattr
from trimtab.storages._base import BaseStorage
from trimtab.storages._factory import get_storage
from trimtab.storages._in_memory import InMemoryStorage

if TYPE_CHECKING:
    from trimtab.storages._grpc import GrpcStorageProxy, run_grpc_proxy_server
    from trimtab.storages._rdb import RDBStorage
    from trimtab.storages.journal._base import BaseJournalLogStorage
    from trimtab.storages.journal._file import (
        DeprecatedJournalFileOpenLock as JournalFileOpenLock,
    )
    from trimtab.storages.journal._file import (
        DeprecatedJournalFileSymlinkLock as JournalFileSymlinkLock,
    )
    from trimtab.storages.journal._file import JournalFileStorage
    from trimtab.storages.journal._redis import JournalRedisStorage
    from trimtab.storages.journal._storage import JournalStorage

__getattr__ = _lazy_getattr(
    __name__,
    {
        "RDBStorage": "trimtab.storages._rdb",
        "GrpcStorageProxy": "trimtab.storages._grpc",
        "run_grpc_proxy_server": "trimtab.storages._grpc",
        "BaseJournalLogStorage": "trimtab.storages.journal._base",
        "JournalFileOpenLock": "trimtab.storages.journal._file:DeprecatedJournalFileOpenLock",
        "JournalFileSymlinkLock": (
            "trimtab.storages.journal._file:DeprecatedJournalFileSymlinkLock"
        ),
        "JournalFileStorage": "trimtab.storages.journal._file",
        "JournalRedisStorage": "trimtab.storages.journal._redis",
        "JournalStorage": "trimtab.storages.journal._storage",
        "journal": "trimtab.storages.journal",
        # Study behaviour kept under Optuna's paths; imported on first use (and not even for
        # type checkers), so storages never import trimtab.study.
        "RetryFailedTrialCallback": "trimtab.study._stale_trials",
        "RetryHeartbeatStaleTrialCallback": "trimtab.study._stale_trials",
        "fail_stale_trials": "trimtab.study._stale_trials",
    },
)

__all__ = [
    "BaseJournalLogStorage",
    "BaseStorage",
    "GrpcStorageProxy",
    "InMemoryStorage",
    "JournalFileOpenLock",
    "JournalFileStorage",
    "JournalFileSymlinkLock",
    "JournalRedisStorage",
    "JournalStorage",
    "RDBStorage",
    "RetryFailedTrialCallback",
    "RetryHeartbeatStaleTrialCallback",
    "fail_stale_trials",
    "get_storage",
    "run_grpc_proxy_server",
    "journal",
]
