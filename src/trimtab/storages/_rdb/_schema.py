"""Optuna's RDB schema (version 12, alembic head ``v3.2.0.a``) as SQLAlchemy Core tables.

Table, column, type, enum, constraint and index names match what Optuna 5.0.0 creates, so a
database written by either library opens in the other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.ext.compiler import compiles

SCHEMA_VERSION = 12
HEAD_VERSION = "v3.2.0.a"
# Alembic revisions of Optuna's schema, newest first (what ``get_all_versions`` reports).
ALL_VERSIONS = [
    "v3.2.0.a",
    "v3.0.0.d",
    "v3.0.0.c",
    "v3.0.0.b",
    "v3.0.0.a",
    "v2.6.0.a",
    "v2.4.0.a",
    "v1.3.0.a",
    "v1.2.0.a",
    "v0.9.0.a",
]

MAX_INDEXED_STRING_LENGTH = 512
MAX_VERSION_LENGTH = 256
FLOAT_PRECISION = 53

metadata = MetaData()

_DIRECTION = Enum("NOT_SET", "MINIMIZE", "MAXIMIZE", name="studydirection")
_STATE = Enum("RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING", name="trialstate")
_VALUE_TYPE = Enum("FINITE", "INF_POS", "INF_NEG", name="trialvaluetype")
_INTERMEDIATE_TYPE = Enum("FINITE", "INF_POS", "INF_NEG", "NAN", name="trialintermediatevaluetype")


def _float() -> Float:
    return Float(precision=FLOAT_PRECISION)


class _Name(String):
    """A study, parameter or attribute name: compared byte for byte on every backend.

    MySQL/MariaDB's default collations fold case, ignore trailing spaces and weigh every
    character outside the Basic Multilingual Plane alike, so "x" and "X", "" and " ", or two
    different emoji would be one name to their unique keys. Names get a binary collation
    without space padding there (see ``_name_on_mysql``), as SQLite and PostgreSQL compare.
    """

    cache_ok = True


def _name() -> _Name:
    return _Name(MAX_INDEXED_STRING_LENGTH)


@compiles(_Name, "mysql")
def _name_on_mysql(type_: _Name, compiler: Any, **_kw: Any) -> str:
    dialect = compiler.dialect
    if dialect.is_mariadb:
        collation = "utf8mb4_nopad_bin"
    elif (dialect.server_version_info or (0,)) >= (8, 0):
        collation = "utf8mb4_0900_bin"
    else:  # MySQL 5.7 has no binary collation without padding
        collation = "utf8mb4_bin"
    return f"VARCHAR({type_.length}) CHARACTER SET utf8mb4 COLLATE {collation}"


studies = Table(
    "studies",
    metadata,
    Column("study_id", Integer, primary_key=True),
    Column(
        "study_name",
        _name(),
        index=True,
        unique=True,
        nullable=False,
    ),
)

study_directions = Table(
    "study_directions",
    metadata,
    Column("study_direction_id", Integer, primary_key=True),
    Column("direction", _DIRECTION, nullable=False),
    Column("study_id", Integer, ForeignKey("studies.study_id"), nullable=False),
    Column("objective", Integer, nullable=False),
    UniqueConstraint("study_id", "objective"),
)


def _attribute_table(name: str, owner: str, owner_table: str) -> Table:
    return Table(
        name,
        metadata,
        Column(f"{name[:-1]}_id", Integer, primary_key=True),
        Column(f"{owner}_id", Integer, ForeignKey(f"{owner_table}.{owner}_id")),
        Column("key", _name()),
        Column("value_json", Text()),
        UniqueConstraint(f"{owner}_id", "key"),
    )


study_user_attributes = _attribute_table("study_user_attributes", "study", "studies")
study_system_attributes = _attribute_table("study_system_attributes", "study", "studies")

trials = Table(
    "trials",
    metadata,
    Column("trial_id", Integer, primary_key=True),
    Column("number", Integer),
    Column("study_id", Integer, ForeignKey("studies.study_id"), index=True),
    Column("state", _STATE, nullable=False),
    Column("datetime_start", DateTime),
    Column("datetime_complete", DateTime),
)

trial_user_attributes = _attribute_table("trial_user_attributes", "trial", "trials")
trial_system_attributes = _attribute_table("trial_system_attributes", "trial", "trials")

trial_params = Table(
    "trial_params",
    metadata,
    Column("param_id", Integer, primary_key=True),
    Column("trial_id", Integer, ForeignKey("trials.trial_id")),
    Column("param_name", _name()),
    Column("param_value", _float()),
    Column("distribution_json", Text()),
    UniqueConstraint("trial_id", "param_name"),
)

trial_values = Table(
    "trial_values",
    metadata,
    Column("trial_value_id", Integer, primary_key=True),
    Column("trial_id", Integer, ForeignKey("trials.trial_id"), nullable=False),
    Column("objective", Integer, nullable=False),
    Column("value", _float(), nullable=True),
    Column("value_type", _VALUE_TYPE, nullable=False),
    UniqueConstraint("trial_id", "objective"),
)

trial_intermediate_values = Table(
    "trial_intermediate_values",
    metadata,
    Column("trial_intermediate_value_id", Integer, primary_key=True),
    Column("trial_id", Integer, ForeignKey("trials.trial_id"), nullable=False),
    Column("step", Integer, nullable=False),
    Column("intermediate_value", _float(), nullable=True),
    Column("intermediate_value_type", _INTERMEDIATE_TYPE, nullable=False),
    UniqueConstraint("trial_id", "step"),
)

trial_heartbeats = Table(
    "trial_heartbeats",
    metadata,
    Column("trial_heartbeat_id", Integer, primary_key=True),
    Column("trial_id", Integer, ForeignKey("trials.trial_id"), nullable=False),
    Column("heartbeat", DateTime, nullable=False, default=func.current_timestamp()),
    UniqueConstraint("trial_id"),
)

version_info = Table(
    "version_info",
    metadata,
    Column("version_info_id", Integer, primary_key=True, autoincrement=False, default=1),
    Column("schema_version", Integer),
    Column("library_version", String(MAX_VERSION_LENGTH)),
    CheckConstraint("version_info_id=1"),
)

alembic_version = Table(
    "alembic_version",
    metadata,
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)

# Tables holding one row per (trial, something), deleted with their trial.
TRIAL_CHILD_TABLES = (
    trial_params,
    trial_values,
    trial_intermediate_values,
    trial_user_attributes,
    trial_system_attributes,
    trial_heartbeats,
)
