"""Repairing a damaged journal: copy the readable records before the damage to a new journal.

Only a prefix is kept. Records after a damaged one may refer to trials by an id that counts
the damaged record, so copying them without it would silently attach them to other trials.
"""

from __future__ import annotations

import collections
import dataclasses
import os
from collections.abc import Iterable, Iterator
from typing import Any

from trimtab.storages.journal._base import parse_record
from trimtab.storages.journal._replay import JournalOperation


@dataclasses.dataclass
class JournalRepairReport:
    """What a repair copied and what it left behind.

    Attributes:
        kept: records copied to the new journal.
        damaged_record: 1-based number (line, for a file) of the first damaged record, or None.
        damaged_excerpt: the start of that record as stored.
        dropped: records not copied (the damaged one and every one after it).
        dropped_operations: the readable dropped records, counted by operation name.
        torn_tail_bytes: bytes of an unfinished last line that were not copied (files only).
    """

    kept: int = 0
    damaged_record: int | None = None
    damaged_excerpt: bytes = b""
    dropped: int = 0
    dropped_operations: dict[str, int] = dataclasses.field(default_factory=dict)
    torn_tail_bytes: int = 0

    def describe(self) -> str:
        """A few lines for a person: what was kept and what was dropped."""
        lines = [f"Copied {self.kept} records."]
        if self.damaged_record is None:
            lines.append("No damaged record found.")
        else:
            lines.append(
                f"Record {self.damaged_record} is damaged: {self.damaged_excerpt[:80]!r}. "
                f"Dropped it and the {self.dropped - 1} records after it."
            )
            if self.dropped_operations:
                counts = ", ".join(f"{n} {op}" for op, n in self.dropped_operations.items())
                lines.append(f"The dropped readable records were: {counts}.")
        if self.torn_tail_bytes:
            lines.append(f"Dropped an unfinished last line of {self.torn_tail_bytes} bytes.")
        return "\n".join(lines)


def _operation_name(op_code: Any) -> str:
    try:
        return JournalOperation(op_code).name
    except ValueError:
        return f"op_code {op_code!r}"


def _split(raws: Iterable[bytes], report: JournalRepairReport) -> Iterator[bytes]:
    """Yield the readable records before the first damaged one; fill ``report``."""
    dropped_ops: collections.Counter[str] = collections.Counter()
    for number, raw in enumerate(raws, start=1):
        record = parse_record(raw)
        if report.damaged_record is None and record is not None:
            report.kept += 1
            yield raw
            continue
        if report.damaged_record is None:
            report.damaged_record, report.damaged_excerpt = number, raw.rstrip(b"\n")
        report.dropped += 1
        if record is not None:
            dropped_ops[_operation_name(record["op_code"])] += 1
    report.dropped_operations = dict(dropped_ops)


def repair_journal_file(source: str, output: str) -> JournalRepairReport:
    """Copy the readable records of journal file ``source`` before any damage to ``output``.

    Args:
        source: the damaged journal file (only read).
        output: the new journal file; must not exist.

    Returns:
        What was copied and what was dropped.

    Raises:
        FileExistsError: ``output`` exists.
    """
    with open(source, "rb") as f:
        data = f.read()
    end = data.rfind(b"\n") + 1
    report = JournalRepairReport(torn_tail_bytes=len(data) - end)
    kept = b"".join(_split(data[:end].splitlines(keepends=True), report))
    with open(output, "xb") as out:
        out.write(kept)
        out.flush()
        os.fsync(out.fileno())
    return report


def repair_journal_redis(url: str, prefix: str, output_prefix: str) -> JournalRepairReport:
    """Copy the readable records of the Redis journal ``prefix`` before any damage.

    Args:
        url: the Redis server, e.g. ``redis://localhost:6379/0``.
        prefix: the damaged journal's key prefix (only read).
        output_prefix: the new journal's key prefix; must hold no journal yet.

    Returns:
        What was copied and what was dropped.

    Raises:
        FileExistsError: a journal exists under ``output_prefix``.
    """
    from trimtab.storages.journal._redis import _import_redis

    client = _import_redis().Redis.from_url(url)
    if client.exists(f"{output_prefix}:log_number"):
        raise FileExistsError(f"A journal already exists under the prefix {output_prefix!r}.")
    last = int(client.get(f"{prefix}:log_number") or -1)
    raws = (client.get(f"{prefix}:log:{n}") or b"" for n in range(last + 1))
    report = JournalRepairReport()
    kept = list(_split(raws, report))
    pipe = client.pipeline(transaction=True)
    for number, raw in enumerate(kept):
        pipe.set(f"{output_prefix}:log:{number}", raw)
    pipe.set(f"{output_prefix}:log_number", len(kept) - 1)
    pipe.execute()
    return report
