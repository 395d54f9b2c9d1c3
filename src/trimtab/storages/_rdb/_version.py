"""Schema bookkeeping: the ``version_info`` row, the alembic revision, checks and upgrades.

The revision is stored in Optuna's ``alembic_version`` table so Optuna (and alembic) agree on
it; trimtab reads and writes that table directly, without importing alembic.
"""

from __future__ import annotations

import sqlalchemy
from sqlalchemy import Index, insert, select, update
from sqlalchemy.engine import Connection

from trimtab.storages._rdb import _schema
from trimtab.storages._rdb._engine import EngineHandle

# The library version written in ``version_info``: the Optuna release whose schema this is.
COMPATIBLE_LIBRARY_VERSION = "5.0.0"
_UPGRADE_COMMAND = "`$ trimtab storage upgrade --storage $STORAGE_URL`"


def _upgrade_to_v3_2_0_a(conn: Connection) -> None:
    Index("trials_study_id_key", _schema.trials.c.study_id).create(conn, checkfirst=True)


# Migrations trimtab can run itself, keyed by the revision they start from.
_MIGRATIONS = {"v3.0.0.d": ("v3.2.0.a", _upgrade_to_v3_2_0_a)}


class VersionManager:
    """Creates the bookkeeping rows of a new database and checks those of an existing one."""

    def __init__(self, handle: EngineHandle) -> None:
        self._handle = handle

    def initialize(self, create_tables: bool = True) -> None:
        """Create missing tables, write ``version_info`` and stamp the alembic revision.

        Runs under the database's schema lock, so processes opening a new database together
        neither collide on a table nor stamp the revision twice.
        """

        def set_up(conn: Connection) -> None:
            if create_tables:
                _schema.metadata.create_all(conn)
            self._initialize(conn)

        self._handle.write_schema(set_up)

    @staticmethod
    def _initialize(conn: Connection) -> None:
        created = False
        row = conn.execute(select(_schema.version_info.c.schema_version)).first()
        if row is None:
            conn.execute(
                insert(_schema.version_info).values(
                    version_info_id=1,
                    schema_version=_schema.SCHEMA_VERSION,
                    library_version=COMPATIBLE_LIBRARY_VERSION,
                )
            )
            created = True
        if conn.execute(select(_schema.alembic_version.c.version_num)).first() is None:
            modern = created or (row is not None and row[0] == _schema.SCHEMA_VERSION)
            revision = _schema.HEAD_VERSION if modern else _schema.ALL_VERSIONS[-1]
            conn.execute(insert(_schema.alembic_version).values(version_num=revision))

    def get_current_version(self) -> str:
        def read(conn: Connection) -> str:
            if not sqlalchemy.inspect(conn).has_table("alembic_version"):
                raise RuntimeError("This database has no alembic_version table.")
            version = conn.execute(select(_schema.alembic_version.c.version_num)).scalar()
            if version is None:
                raise RuntimeError("This database has no schema revision recorded.")
            return str(version)

        return self._handle.read(read)

    def _library_version(self) -> str:
        def read(conn: Connection) -> str:
            value = conn.execute(select(_schema.version_info.c.library_version)).scalar()
            return str(value) if value is not None else "an unknown version"

        return self._handle.read(read)

    def check(self) -> None:
        """Raise RuntimeError naming both revisions when the schema is not the head."""
        from trimtab.version import __version__

        current = self.get_current_version()
        if current == _schema.HEAD_VERSION:
            return
        message = (
            f"The runtime trimtab version {__version__} is not compatible with the table "
            f"schema of this storage (revision {current}, set up by "
            f"{self._library_version()}); trimtab uses schema revision "
            f"{_schema.HEAD_VERSION}. "
        )
        if current in _MIGRATIONS:
            message += f"Please execute {_UPGRADE_COMMAND} for upgrading the storage."
        elif current in _schema.ALL_VERSIONS:
            message += (
                "Please upgrade the storage with `$ optuna storage upgrade --storage "
                "$STORAGE_URL` (Optuna 3.2 or later); trimtab migrates from revision "
                "v3.0.0.d onwards."
            )
        else:
            message += (
                "The storage was written by a newer library; please update trimtab by "
                "`$ pip install -U trimtab`."
            )
        raise RuntimeError(message)

    def upgrade(self) -> None:
        """Migrate the schema to the head revision.

        The whole migration runs under the schema lock and reads the revision there, so two
        processes upgrading at once migrate once.

        Raises:
            RuntimeError: the schema is older than revision v3.0.0.d (upgrade it first with
                Optuna 3.x's ``optuna storage upgrade``) or newer than trimtab knows.
        """
        self.get_current_version()  # a clear error for a database without a revision
        self._handle.write_schema(_migrate_to_head)


def _migrate_to_head(conn: Connection) -> None:
    current = str(conn.execute(select(_schema.alembic_version.c.version_num)).scalar())
    while current != _schema.HEAD_VERSION:
        if current not in _MIGRATIONS:
            raise RuntimeError(
                f"trimtab cannot upgrade schema revision {current} to "
                f"{_schema.HEAD_VERSION}: it migrates from revision v3.0.0.d onwards. "
                "Upgrade the storage with `optuna storage upgrade` from Optuna 3.x first."
            )
        target, migrate = _MIGRATIONS[current]
        migrate(conn)
        conn.execute(update(_schema.alembic_version).values(version_num=target))
        current = target
    conn.execute(
        update(_schema.version_info).values(
            schema_version=_schema.SCHEMA_VERSION,
            library_version=COMPATIBLE_LIBRARY_VERSION,
        )
    )
