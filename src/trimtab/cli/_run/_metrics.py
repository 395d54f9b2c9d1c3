"""Reading objective and intermediate values out of a program's output lines.

Three ways to describe where a number is:

- a format pattern, ``'score: {value}'`` or ``'epoch {step} val_acc={value}'`` (literal text,
  a space matches any run of blanks, ``{step}`` an integer);
- a regular expression with a group named ``value`` (and optionally ``step``), or one group;
- a JSON key: lines that are JSON objects (``{"step": 3, "val_acc": 0.9}``) give ``obj[key]``
  and the step from their ``"step"`` key.

With no value source at all, the value is the last output line that holds only a number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from trimtab.exceptions import CLIUsageError, TrimtabError

_NUMBER = r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)"
_PLACEHOLDER = re.compile(r"\{(value|step)\}")


class NotANumberError(TrimtabError):
    """A pattern matched output whose value is not a number."""


@dataclass(frozen=True)
class MetricSource:
    """One place a number comes from: ``kind`` is format, regex, json or number-line."""

    kind: str
    text: str
    flag: str
    regex: re.Pattern[str] | None = None

    @property
    def label(self) -> str:
        """How messages name this source, e.g. ``--value 'score: {value}'``."""
        if self.kind == "number-line":
            return "a line holding only a number"
        return f"{self.flag} '{self.text}'"

    def find(self, line: str) -> tuple[Any, int | None] | None:
        """``(value, step)`` found on ``line`` (value still unconverted), or None."""
        if self.kind == "json":
            return _json_find(line, self.text)
        assert self.regex is not None
        match = self.regex.search(line)
        if match is None:
            return None
        groups = match.groupdict()
        if "value" in groups:
            value = groups["value"]
        else:
            value = match.group(1) if self.regex.groups else match.group(0)
        step = groups.get("step")
        return value, int(step) if step is not None else None


def _json_find(line: str, key: str) -> tuple[Any, int | None] | None:
    stripped = line.strip()
    if not stripped.startswith("{") or f'"{key}"' not in stripped:
        return None
    try:
        record = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(record, dict) or key not in record:
        return None
    step = record.get("step")
    return record[key], step if isinstance(step, int) and not isinstance(step, bool) else None


def _format_regex(pattern: str, flag: str) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(pattern)
    literals, names = pieces[0::2], pieces[1::2]
    if names.count("value") != 1 or names.count("step") > 1:
        raise CLIUsageError(
            f"{flag} '{pattern}': a pattern needs exactly one {{value}} (and at most one {{step}})."
        )
    parts = []
    for literal, name in zip(literals, [*names, None]):
        parts.append(r"\s+".join(re.escape(word) for word in re.split(r"\s+", literal)))
        if name == "value":
            parts.append(rf"(?P<value>{_NUMBER}|\S+)")
        elif name == "step":
            parts.append(r"(?P<step>\d+)")
    return re.compile("".join(parts), re.IGNORECASE)


def make_source(kind: str, text: str, flag: str) -> MetricSource:
    """A source from one ``--value``/``--report`` flag (``kind`` format, regex or json).

    Raises:
        CLIUsageError: a pattern without ``{value}``, an invalid regex, an empty key.
    """
    if kind == "format":
        return MetricSource(kind, text, flag, _format_regex(text, flag))
    if kind == "json":
        if not text:
            raise CLIUsageError(f"{flag}: the JSON key is empty.")
        return MetricSource(kind, text, flag)
    try:
        regex = re.compile(text)
    except re.error as err:
        raise CLIUsageError(f"{flag} '{text}': not a valid regular expression ({err}).") from None
    if "value" not in regex.groupindex and regex.groups > 1:
        raise CLIUsageError(
            f"{flag} '{text}': with several groups, name the value's group (?P<value>...)."
        )
    return MetricSource(kind, text, flag, regex)


NUMBER_LINE = MetricSource(
    "number-line", "", "", re.compile(rf"^\s*({_NUMBER})\s*$", re.IGNORECASE)
)


def to_number(value: Any, source: MetricSource, where: str) -> float:
    """``value`` as a float.

    Raises:
        NotANumberError: it is not a number; the message names the source and the place.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise NotANumberError(f"{source.label} matched {value!r} on {where}, which is not a number")


@dataclass
class OutputScanner:
    """Follows a program's output lines: keeps the last objective values, yields reports."""

    value_sources: list[MetricSource]
    report_sources: list[MetricSource]
    values: list[float | None] = field(init=False)
    _next_step: int = 0
    _line_numbers: dict[str, int] = field(default_factory=lambda: {"stdout": 0, "stderr": 0})

    def __post_init__(self) -> None:
        self.values = [None] * len(self.value_sources)

    def feed(self, stream: str, line: str) -> list[tuple[float, int]]:
        """Take one line of ``stream``; return the ``(value, step)`` reports it holds.

        Raises:
            NotANumberError: a source matched text that is not a number.
        """
        self._line_numbers[stream] += 1
        where = f"line {self._line_numbers[stream]} of {stream}"
        for i, source in enumerate(self.value_sources):
            found = source.find(line)
            if found is not None:
                self.values[i] = to_number(found[0], source, where)
        reports = []
        for source in self.report_sources:
            found = source.find(line)
            if found is None:
                continue
            step = found[1] if found[1] is not None else self._next_step
            self._next_step = step + 1
            reports.append((to_number(found[0], source, where), step))
        return reports

    def missing(self) -> list[MetricSource]:
        """The value sources that matched nothing."""
        return [s for s, v in zip(self.value_sources, self.values) if v is None]
