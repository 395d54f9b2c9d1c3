"""Say what failed when a storage cannot be opened: a path, a server, a login, a database.

The driver's own words are kept in every message; these helpers add the cause in plain terms
(a missing directory by name, a file that is not a database, an unreachable ``host:port``, a
rejected user, a database that does not exist) so the message points the right way.
"""

from __future__ import annotations

import os
import stat
from typing import Any

_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}
# The driver each extra installs, and the URL scheme that uses it.
_EXTRA_DRIVERS = {
    "postgresql": ("psycopg2", "postgresql+psycopg2://"),
    "mysql": ("pymysql", "mysql+pymysql://"),
}


def driver_missing_message(drivername: str, extra: str, err: ImportError) -> str:
    """The message for a database driver that is not installed, naming what to install."""
    module = getattr(err, "name", None) or str(err)
    installs = _EXTRA_DRIVERS.get(extra)
    if installs is None or module.split(".")[0] == installs[0]:
        return (
            f"The database driver {module!r} for {drivername!r} URLs is not installed ({err}). "
            f'Install it with: pip install "trimtab[{extra}]"'
        )
    return (
        f"The database driver {module!r} for {drivername!r} URLs is not installed ({err}). "
        f"Install the package that provides the module {module!r}, or install the driver "
        f'trimtab supports with `pip install "trimtab[{extra}]"` and use a {installs[1]!r} URL.'
    )


def sqlite_problem(database: str | None, driver_text: str) -> str | None:
    """What is wrong with the SQLite file at ``database``, or None when nothing is found."""
    path = _sqlite_path(database)
    if path is None:
        return None
    if "not a database" in driver_text:
        return f"the file {path!r} is not an SQLite database (another kind of file, or damaged)"
    if os.path.isdir(path):
        return f"{path!r} is a directory, not a database file"
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        return _missing_directory(directory)
    if not os.path.exists(path) and not os.access(directory, os.W_OK):
        return (
            f"permission denied: the database file cannot be created in the directory "
            f"{directory!r} (read-only, or not writable by this user)"
        )
    if os.path.exists(path) and not os.access(path, os.R_OK):
        return f"permission denied: the file {path!r} is not readable by this user"
    return None


def _sqlite_path(database: str | None) -> str | None:
    if database in (None, "", ":memory:"):
        return None
    path = str(database)
    if path.startswith("file:"):  # a URI filename: file:path?mode=ro
        path = path[len("file:") :].split("?", 1)[0]
        if path in ("", ":memory:"):
            return None
    return path


def _missing_directory(directory: str) -> str:
    """Name the first part of ``directory`` that is missing, unreachable, or a file."""
    missing = directory
    current = directory
    while True:
        try:
            is_directory = stat.S_ISDIR(os.stat(current).st_mode)
        except PermissionError:
            return (
                f"permission denied: this user cannot reach {current!r} (a directory above "
                "it may not be entered)"
            )
        except (FileNotFoundError, NotADirectoryError):
            parent = os.path.dirname(current)
            if parent == current:
                break
            missing, current = current, parent
            continue
        if not is_directory:
            return f"the database's directory {directory!r} lies under {current!r}, which is a file"
        break
    return f"the directory {missing!r} does not exist (create it first)"


def server_problem(parsed: Any, backend: str, orig: Any, driver_text: str) -> str | None:
    """What failed while connecting to a PostgreSQL or MySQL server, or None."""
    host = parsed.host or "localhost"
    port = parsed.port or _DEFAULT_PORTS.get(backend, "")
    where = f"{host}:{port}"
    text = driver_text.lower()
    args = getattr(orig, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    if code in (1045, 1698) or "authentication failed" in text or "access denied" in text:
        return (
            f"the server at {where} refused user {parsed.username!r} (authentication "
            "failed): check the user name and password"
        )
    if "role" in text and "does not exist" in text:
        return f"the server at {where} has no user {parsed.username!r}"
    if code == 1049 or ("database" in text and "does not exist" in text):
        return (
            f"the database {parsed.database!r} does not exist on the server at {where} "
            f"(create it first, e.g. CREATE DATABASE {parsed.database})"
        )
    unreachable = (
        "connection refused",
        "could not connect",
        "can't connect",
        "timeout expired",
        "timed out",
        "could not translate host name",
        "name or service not known",
        "no route to host",
    )
    if code in (2002, 2003, 2005) or any(phrase in text for phrase in unreachable):
        return (
            f"no database server could be reached at {where} (is it running, and are the "
            "host and port right?)"
        )
    return None
