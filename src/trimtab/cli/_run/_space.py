"""The search space of ``trimtab run``: ``--param`` specs, space files, grids, enqueued points.

A spec is ``NAME=KIND:ARGS``::

    lr=float:1e-5:1e-1:log      a float between the bounds, sampled on a log scale
    dropout=float:0:0.5:step=0.1
    layers=int:1:8              an int, ``:log`` and ``:step=S`` as for floats
    opt=cat:adam,sgd            one of the listed choices

A space file (YAML, or TOML on Python 3.11+) maps each name to a spec string or to a table
``{type: float, low: 1e-5, high: 0.1, log: true}`` (``type: categorical, choices: [...]``).
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trimtab.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from trimtab.exceptions import CLIUsageError

NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_NAME = re.compile(NAME_PATTERN)
_KINDS = {"float": "float", "int": "int", "cat": "cat", "categorical": "cat"}
_SPEC_FORMS = "NAME=float:LOW:HIGH[:log|:step=S], NAME=int:LOW:HIGH[:log|:step=S] or NAME=cat:A,B,C"


@dataclass(frozen=True)
class Param:
    """One parameter: its name, distribution, and the text each categorical choice came from."""

    name: str
    distribution: BaseDistribution
    choice_texts: tuple[str, ...] = ()

    @property
    def env_name(self) -> str:
        """``TRIMTAB_PARAM_<NAME>``: upper case, other characters as ``_``."""
        return "TRIMTAB_PARAM_" + re.sub(r"[^A-Za-z0-9]", "_", self.name).upper()

    def text(self, value: Any) -> str:
        """``value`` as it goes into the command line and the environment."""
        if isinstance(self.distribution, CategoricalDistribution):
            return self.choice_texts[self.distribution.choices.index(value)]
        return repr(value) if isinstance(value, float) else str(value)

    def grid_values(self) -> list[Any]:
        """Every value of a finite distribution (for ``--grid``).

        Raises:
            CLIUsageError: the distribution is continuous (a float without a step).
        """
        dist = self.distribution
        if isinstance(dist, CategoricalDistribution):
            return list(dist.choices)
        if isinstance(dist, IntDistribution) and not dist.log:
            return list(range(dist.low, dist.high + 1, dist.step))
        if isinstance(dist, IntDistribution):
            return list(range(dist.low, dist.high + 1))
        assert isinstance(dist, FloatDistribution)
        if dist.step is None:
            raise CLIUsageError(
                f"--grid needs a finite set of values, but parameter '{self.name}' is a "
                "continuous float: give it a step (float:LOW:HIGH:step=S) or use cat:A,B,C."
            )
        count = int(round((dist.high - dist.low) / dist.step)) + 1
        return [round(dist.low + i * dist.step, 12) for i in range(count)]

    def parse_value(self, text: Any, flag: str) -> Any:
        """An enqueued value (text or already typed) as this parameter's type."""
        dist = self.distribution
        try:
            if isinstance(dist, CategoricalDistribution):
                key = text if isinstance(text, str) else json.dumps(text)
                return dist.choices[self.choice_texts.index(key)]
            value = int(text) if isinstance(dist, IntDistribution) else float(text)
        except ValueError:
            allowed = ", ".join(self.choice_texts) if self.choice_texts else "a number"
            raise CLIUsageError(
                f"{flag}: '{text}' is not a value of parameter '{self.name}' ({allowed})."
            ) from None
        if not dist._contains(dist.to_internal_repr(value)):
            raise CLIUsageError(f"{flag}: {value} is outside parameter '{self.name}' ({dist}).")
        return value


def _number(text: str, kind: str, where: str) -> float | int:
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        raise CLIUsageError(
            f"{where}: '{text}' is not {'an int' if kind == 'int' else 'a number'}."
        ) from None


def _choice(text: str) -> Any:
    """A categorical choice: an int or float when the text round-trips exactly, else the text."""
    for convert in (int, float):
        try:
            value = convert(text)
        except ValueError:
            continue
        if str(value) == text:
            return value
    return text


def _numeric(name: str, kind: str, fields: list[str], where: str) -> Param:
    if len(fields) < 2:
        raise CLIUsageError(f"{where}: a {kind} needs LOW:HIGH (expected {_SPEC_FORMS}).")
    low, high = (_number(f, kind, where) for f in fields[:2])
    log, step = False, None
    for option in fields[2:]:
        if option == "log":
            log = True
        elif option.startswith("step="):
            step = _number(option[5:], kind, where)
        else:
            raise CLIUsageError(f"{where}: unknown option '{option}' (use 'log' or 'step=S').")
    try:
        if kind == "int":
            dist: BaseDistribution = IntDistribution(int(low), int(high), log, int(step or 1))
        else:
            dist = FloatDistribution(float(low), float(high), log=log, step=step)
    except ValueError as err:
        raise CLIUsageError(f"{where}: {err}") from None
    return Param(name, dist)


def parse_param(spec: str) -> Param:
    """A ``--param NAME=KIND:ARGS`` flag as a parameter.

    Raises:
        CLIUsageError: the spec is malformed; the message quotes it and says what is wrong.
    """
    where = f"--param '{spec}'"
    name, sep, rest = spec.partition("=")
    if not sep:
        raise CLIUsageError(f"{where}: missing '=' (expected {_SPEC_FORMS}).")
    return parse_spec(name.strip(), rest, where)


def parse_spec(name: str, rest: str, where: str) -> Param:
    """``KIND:ARGS`` for parameter ``name``; errors start with ``where``."""
    if not _NAME.fullmatch(name):
        raise CLIUsageError(f"{where}: '{name}' is not a valid parameter name.")
    kind_text, _, args = rest.partition(":")
    kind = _KINDS.get(kind_text.strip().lower())
    if kind is None:
        raise CLIUsageError(
            f"{where}: unknown kind '{kind_text}' (expected float, int or cat: {_SPEC_FORMS})."
        )
    if kind == "cat":
        texts = [t.strip() for t in args.split(",")] if args.strip() else []
        if not texts:
            raise CLIUsageError(f"{where}: a categorical needs choices, e.g. cat:adam,sgd.")
        if len(set(texts)) != len(texts):
            raise CLIUsageError(f"{where}: the choices repeat a value.")
        return Param(name, CategoricalDistribution([_choice(t) for t in texts]), tuple(texts))
    return _numeric(name, kind, args.split(":"), where)


def _table_param(name: str, table: Any, where: str) -> Param:
    if isinstance(table, str):
        return parse_spec(name, table, where)
    if not isinstance(table, dict) or "type" not in table:
        raise CLIUsageError(f"{where}: expected a spec string or a table with a 'type' key.")
    kind = _KINDS.get(str(table["type"]).lower())
    if kind == "cat":
        choices = table.get("choices")
        if not isinstance(choices, list) or not choices:
            raise CLIUsageError(f"{where}: a categorical needs a non-empty 'choices' list.")
        texts = tuple(c if isinstance(c, str) else json.dumps(c) for c in choices)
        return Param(name, CategoricalDistribution(choices), texts)
    if kind is None or "low" not in table or "high" not in table:
        raise CLIUsageError(f"{where}: needs type float/int/categorical and low/high.")
    fields = [str(table["low"]), str(table["high"])]
    fields += ["log"] if table.get("log") else []
    fields += [f"step={table['step']}"] if table.get("step") is not None else []
    unknown = set(table) - {"type", "low", "high", "log", "step"}
    if unknown:
        raise CLIUsageError(f"{where}: unknown keys {sorted(unknown)}.")
    if not _NAME.fullmatch(name):
        raise CLIUsageError(f"{where}: '{name}' is not a valid parameter name.")
    return _numeric(name, kind, fields, where)


def _load_toml(path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 only
        try:
            import tomli as tomllib
        except ImportError:
            raise CLIUsageError(
                f"--space {path}: reading TOML needs Python 3.11+ or the 'tomli' package "
                "(pip install tomli); a YAML space file works everywhere."
            ) from None
    with path.open("rb") as file:
        return tomllib.load(file)


def load_space_file(path_text: str) -> list[Param]:
    """The parameters of a YAML or TOML space file.

    Raises:
        CLIUsageError: the file is missing, unreadable, or holds a bad spec.
    """
    path = Path(path_text)
    if not path.is_file():
        raise CLIUsageError(f"--space {path_text}: no such file.")
    try:
        if path.suffix.lower() == ".toml":
            content = _load_toml(path)
        else:
            import yaml

            content = yaml.safe_load(path.read_text())
    except CLIUsageError:
        raise
    except Exception as err:
        raise CLIUsageError(f"--space {path_text}: cannot parse the file ({err}).") from None
    if not isinstance(content, dict) or not content:
        raise CLIUsageError(f"--space {path_text}: expected a mapping of parameter names to specs.")
    return [_table_param(str(n), t, f"--space {path_text}: '{n}'") for n, t in content.items()]


def build_space(param_flags: list[str], space_file: str | None) -> dict[str, Param]:
    """Every parameter from ``--space`` and ``--param`` (a name may appear once).

    Raises:
        CLIUsageError: a bad spec, or a name given twice.
    """
    params = load_space_file(space_file) if space_file is not None else []
    params += [parse_param(spec) for spec in param_flags]
    space: dict[str, Param] = {}
    env_names: dict[str, str] = {}
    for param in params:
        if param.name in space:
            raise CLIUsageError(f"Parameter '{param.name}' is defined twice.")
        if param.env_name in env_names:
            raise CLIUsageError(
                f"Parameters '{env_names[param.env_name]}' and '{param.name}' would share the "
                f"environment variable {param.env_name}; rename one."
            )
        space[param.name] = param
        env_names[param.env_name] = param.name
    return space


def grid_space(space: dict[str, Param]) -> dict[str, list[Any]]:
    """``{name: every value}`` for ``GridSampler``."""
    return {name: param.grid_values() for name, param in space.items()}


def grid_size(grid: dict[str, list[Any]]) -> int:
    """The number of points in ``grid``."""
    return math.prod(len(values) for values in grid.values()) if grid else 0


def parse_enqueue(text: str, space: dict[str, Param]) -> dict[str, Any]:
    """``--enqueue 'lr=0.01,opt=adam'`` (or a JSON object) as typed parameter values.

    Raises:
        CLIUsageError: unknown names, or values outside their parameter.
    """
    flag = f"--enqueue '{text}'"
    if text.lstrip().startswith("{"):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as err:
            raise CLIUsageError(f"{flag}: not a JSON object ({err}).") from None
        items = list(raw.items())
    else:
        items = []
        for part in text.split(","):
            name, sep, value = part.partition("=")
            if not sep:
                raise CLIUsageError(f"{flag}: expected NAME=VALUE pairs separated by commas.")
            items.append((name.strip(), value.strip()))
    point = {}
    for name, value in items:
        if name not in space:
            raise CLIUsageError(f"{flag}: no parameter '{name}' (have: {', '.join(space)}).")
        point[name] = space[name].parse_value(value, flag)
    return point
