"""Opening a storage that cannot be opened says what failed, and keeps the driver's words."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from storage_servers import MYSQL_ADMIN_URL, PG_ADMIN_URL, server_database

from trimtab.exceptions import StorageInternalError
from trimtab.storages import RDBStorage

_SERVER_HINT = "Check that the server is running"


def _open_error(url: str) -> str:
    with pytest.raises(StorageInternalError) as info:
        RDBStorage(url)
    return str(info.value)


def test_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the bytes of an SQLite database\n" * 100)
    message = _open_error(f"sqlite:///{path}")
    assert f"the file '{path}' is not an SQLite database" in message
    assert "file is not a database" in message  # the driver's words
    assert _SERVER_HINT not in message
    assert path.read_bytes().startswith(b"these are not")  # left untouched


def test_sqlite_path_in_a_missing_directory(tmp_path: Path) -> None:
    message = _open_error(f"sqlite:///{tmp_path}/runs/2024/study.db")
    assert f"the directory '{tmp_path}/runs' does not exist" in message
    assert "unable to open database file" in message
    assert _SERVER_HINT not in message
    assert not (tmp_path / "runs").exists()


def test_sqlite_path_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "results"
    blocker.write_text("a file where a directory should be")
    message = _open_error(f"sqlite:///{blocker}/study.db")
    assert f"lies under '{blocker}', which is a file" in message
    assert _SERVER_HINT not in message


def test_sqlite_path_in_a_directory_the_user_cannot_write() -> None:
    # pytest's base directory is private to root; this one is open to everyone but ``locked``.
    base = Path(tempfile.mkdtemp())
    base.chmod(0o755)
    locked = base / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    # Root may write anywhere: the child drops to an unprivileged user after importing.
    drop = "os.setgid(65534); os.setuid(65534)" if os.geteuid() == 0 else "pass"
    script = textwrap.dedent(
        f"""
        import os, sqlite3, sqlalchemy
        from trimtab.storages import RDBStorage
        from trimtab.exceptions import StorageInternalError
        {drop}
        try:
            RDBStorage("sqlite:///{locked}/study.db")
        except StorageInternalError as err:
            print(err)
        """
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
        )
    finally:
        shutil.rmtree(base)
    assert result.returncode == 0, result.stderr
    assert (
        f"permission denied: the database file cannot be created in the directory '{locked}'"
        in (result.stdout)
    ), result.stdout
    assert _SERVER_HINT not in result.stdout


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends


@pytest.mark.parametrize("scheme", ["postgresql+psycopg2", "mysql+pymysql"])
def test_server_not_listening(scheme: str) -> None:
    port = _closed_port()
    message = _open_error(f"{scheme}://someone@127.0.0.1:{port}/db")
    assert f"no database server could be reached at 127.0.0.1:{port}" in message
    assert "refused" in message.lower()  # the driver's words


def _server_url(admin_url: str, **parts: str) -> tuple[str, str]:
    """The admin URL with ``parts`` replaced, and its ``host:port``."""
    url = make_url(admin_url).set(**parts)
    return url.render_as_string(hide_password=False), f"{url.host}:{url.port}"


def test_postgresql_unknown_user_and_database() -> None:
    server_database("postgresql")  # skips (locally) or fails (CI) when the server is down
    url, where = _server_url(PG_ADMIN_URL, username="nobody_here", database="postgres")
    message = _open_error(url)
    assert f"the server at {where} has no user 'nobody_here'" in message
    assert 'role "nobody_here" does not exist' in message
    url, where = _server_url(PG_ADMIN_URL, database="no_such_database_here")
    message = _open_error(url)
    assert f"the database 'no_such_database_here' does not exist on the server at {where}" in (
        message
    )
    assert _SERVER_HINT not in message


def test_mysql_wrong_password_and_unknown_database() -> None:
    server_database("mysql")
    url, where = _server_url(MYSQL_ADMIN_URL, password="wrong-secret", database="test")
    message = _open_error(url)
    assert f"the server at {where} refused user " in message
    assert "(authentication failed)" in message
    assert "Access denied" in message
    assert "wrong-secret" not in message
    url, where = _server_url(MYSQL_ADMIN_URL, database="no_such_database_here")
    message = _open_error(url)
    assert f"the database 'no_such_database_here' does not exist on the server at {where}" in (
        message
    )


def test_driver_missing_names_the_extra() -> None:
    with pytest.raises(ImportError, match=r"'asyncpg'.*trimtab\[postgresql\]"):
        RDBStorage("postgresql+asyncpg://postgres@127.0.0.1/db")
    with pytest.raises(ImportError, match=r"'MySQLdb'.*trimtab\[mysql\]"):
        RDBStorage("mysql+mysqldb://root@127.0.0.1/db")
