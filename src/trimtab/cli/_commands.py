"""The sub-commands of ``trimtab``: study administration, listings, ask/tell, upgrades."""

from __future__ import annotations

import json
from argparse import ArgumentParser, Namespace
from typing import Any

from trimtab import _warnings, logging
from trimtab.cli._format import DATETIME_FORMAT, format_output, trial_records
from trimtab.cli._registry import Command
from trimtab.exceptions import CLIUsageError, ExperimentalWarning
from trimtab.storages import BaseStorage
from trimtab.storages._factory import open_storage as open_location
from trimtab.storages._factory import storage_location

_logger = logging.get_logger("trimtab.cli")
_FORMATS = ("value", "json", "table", "yaml")
_TRIAL_ATTRS = (
    "number",
    "value",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params",
    "user_attrs",
    "state",
)


def storage_url(args: Namespace) -> str:
    """``--storage``, else ``TRIMTAB_STORAGE``, else ``OPTUNA_STORAGE``.

    Raises:
        CLIUsageError: none of them is set.
    """
    location = storage_location(args.storage)
    if location is None:
        raise CLIUsageError(
            "Storage URL is not specified: pass --storage or set TRIMTAB_STORAGE "
            "(or OPTUNA_STORAGE)."
        )
    return location


def open_storage(args: Namespace, **options: Any) -> BaseStorage:
    """The storage ``--storage``/``--storage-class`` (or the environment) name, opened by
    the library's one rule (:func:`trimtab.storages._factory.open_storage`).

    Raises:
        CLIUsageError: no storage is given, or the location cannot be opened.
    """
    try:
        return open_location(storage_url(args), args.storage_class, **options)
    except ValueError as err:
        raise CLIUsageError(str(err)) from err


def _format_arguments(parser: ArgumentParser, default: str, flatten: bool = True) -> None:
    parser.add_argument("-f", "--format", choices=_FORMATS, default=default, help="Output format.")
    if flatten:
        parser.add_argument(
            "--flatten", action="store_true", help="Flatten nested columns such as params."
        )


def _experimental(command: str) -> None:
    _warnings.warn(
        f"'{command}' is an experimental CLI command. The interface can change in the future.",
        ExperimentalWarning,
    )


def _load(args: Namespace, sampler: Any = None) -> Any:
    import trimtab

    return trimtab.load_study(
        study_name=args.study_name, storage=open_storage(args), sampler=sampler
    )


def create_study(args: Namespace) -> int:
    import trimtab

    study = trimtab.create_study(
        storage=open_storage(args),
        study_name=args.study_name,
        direction=args.direction,
        directions=args.directions,
        load_if_exists=args.skip_if_exists,
    )
    print(study.study_name)
    return 0


def delete_study(args: Namespace) -> int:
    storage = open_storage(args)
    storage.delete_study(storage.get_study_id_from_name(args.study_name))
    return 0


def set_user_attr(args: Namespace) -> int:
    _load(args).set_user_attr(args.key, args.value)
    _logger.info("Attribute successfully written.")
    return 0


def study_names(args: Namespace) -> int:
    import trimtab

    column = ("name", "")
    records = [{column: name} for name in trimtab.get_all_study_names(open_storage(args))]
    print(format_output(records, [column], args.format, flatten=False))
    return 0


def studies(args: Namespace) -> int:
    import trimtab

    summaries = trimtab.get_all_study_summaries(open_storage(args), include_best_trial=False)
    records = []
    for summary in summaries:
        start = summary.datetime_start
        records.append(
            {
                ("name", ""): summary.study_name,
                ("direction", ""): tuple(d.name for d in summary.directions),
                ("n_trials", ""): summary.n_trials,
                ("datetime_start", ""): start.strftime(DATETIME_FORMAT) if start else None,
                ("user_attrs", ""): summary.user_attrs,
            }
        )
    columns = [("name", ""), ("direction", ""), ("n_trials", ""), ("datetime_start", "")]
    if any(r[("user_attrs", "")] != {} for r in records):
        columns.append(("user_attrs", ""))
    print(format_output(records, columns, args.format, args.flatten))
    return 0


def _trial_attrs(study: Any) -> tuple[str, ...]:
    if len(study.directions) > 1:
        return tuple("values" if a == "value" else a for a in _TRIAL_ATTRS)
    return _TRIAL_ATTRS


def trials(args: Namespace) -> int:
    _experimental("trials")
    study = _load(args)
    records, columns = trial_records(study, _trial_attrs(study))
    print(format_output(records, columns, args.format, args.flatten))
    return 0


def best_trial(args: Namespace) -> int:
    _experimental("best-trial")
    study = _load(args)
    records, columns = trial_records(study, _trial_attrs(study))
    print(format_output(records[study.best_trial.number], columns, args.format, args.flatten))
    return 0


def best_trials(args: Namespace) -> int:
    _experimental("best-trials")
    study = _load(args)
    best = {t.number for t in study.best_trials}
    records, columns = trial_records(study, _trial_attrs(study))
    chosen = [r for r in records if r[("number", "")] in best]
    print(format_output(chosen, columns, args.format, args.flatten))
    return 0


def storage_upgrade(args: Namespace) -> int:
    from trimtab.storages import RDBStorage

    storage = RDBStorage(storage_url(args), skip_compatibility_check=True, skip_table_creation=True)
    current, head = storage.get_current_version(), storage.get_head_version()
    if current == head:
        _logger.info("This storage is up-to-date.")
    elif current in storage.get_all_versions():
        _logger.info("Upgrading the storage schema to the latest version.")
        storage.upgrade()
        _logger.info("Completed to upgrade the storage.")
    else:
        _warnings.warn(
            "Your trimtab version seems outdated against the storage version. Please try "
            "updating trimtab to the latest version by `$ pip install -U trimtab`."
        )
    return 0


def storage_repair_journal(args: Namespace) -> int:
    from trimtab.storages.journal import repair_journal_file, repair_journal_redis

    if args.journal.startswith(("redis://", "rediss://", "unix://")):
        report = repair_journal_redis(args.journal, args.redis_prefix, args.output)
    else:
        report = repair_journal_file(args.journal, args.output)
    print(report.describe())
    _logger.info(f"Wrote the repaired journal to {args.output}.")
    return 0


def ask(args: Namespace) -> int:
    _experimental("ask")
    import trimtab
    from trimtab.distributions import json_to_distribution

    sampler = None
    if args.sampler is not None:
        kwargs = json.loads(args.sampler_kwargs) if args.sampler_kwargs is not None else {}
        sampler = getattr(trimtab.samplers, args.sampler)(**kwargs)
    elif args.sampler_kwargs is not None:
        raise ValueError(
            "`--sampler_kwargs` is set without `--sampler`. Please specify `--sampler` as well "
            "or omit `--sampler-kwargs`."
        )
    space = {
        name: json_to_distribution(json.dumps(dist))
        for name, dist in json.loads(args.search_space or "{}").items()
    }
    try:
        study = _load(args, sampler)
    except KeyError:
        raise KeyError(
            "Implicit study creation within the 'ask' command was dropped in Optuna v4.0.0. "
            "Please use the 'create-study' command beforehand."
        ) from None
    trial = study.ask(fixed_distributions=space)
    _logger.info(f"Asked trial {trial.number} with parameters {trial.params}.")
    record: dict[Any, Any] = {("number", ""): trial.number}
    columns: list[Any] = [("number", "")]
    if not trial.params and not args.flatten:
        record[("params", "")] = {}
        columns.append(("params", ""))
    for name, value in trial.params.items():
        record[("params", name)] = value
        columns.append(("params", name))
    print(format_output(record, columns, args.format, args.flatten))
    return 0


def tell(args: Namespace) -> int:
    _experimental("tell")
    from trimtab.cli._run._handoff import hand_over_tell
    from trimtab.trial import TrialState

    if hand_over_tell(
        args.study_name, args.trial_number, args.values, args.state, args.skip_if_finished
    ):
        _logger.info(f"Told trial {args.trial_number} to trimtab run, which supervises it.")
        return 0
    study = _load(args)
    state = TrialState[args.state.upper()] if args.state is not None else None
    study.tell(
        trial=args.trial_number,
        values=args.values,
        state=state,
        skip_if_finished=args.skip_if_finished,
    )
    _logger.info(f"Told trial {args.trial_number} with values {args.values} and state {state}.")
    return 0


def dashboard(args: Namespace) -> int:
    try:
        from trimtab.dashboard import cli_main
    except ImportError as err:
        raise CLIUsageError(
            f"The dashboard is not available in this installation ({err}). Install it with "
            'pip install "trimtab[dashboard]".'
        ) from err
    return int(cli_main(list(args.dashboard_args), args.storage, args.storage_class))


def add_study_name(parser: ArgumentParser, required: bool = False) -> None:
    parser.add_argument(
        "--study-name", type=str, default=None, required=required, help="The name of the study."
    )


def _configure_create_study(p: ArgumentParser) -> None:
    add_study_name(p)
    p.add_argument("--direction", choices=("minimize", "maximize"), default=None)
    p.add_argument("--skip-if-exists", action="store_true")
    p.add_argument("--directions", choices=("minimize", "maximize"), nargs="+", default=None)


def _configure_set_user_attr(p: ArgumentParser) -> None:
    add_study_name(p, required=True)
    p.add_argument("--key", "-k", required=True, help="Key of the user attribute.")
    p.add_argument("--value", required=True, help="Value to be set.")


def _configure_trial_listing(p: ArgumentParser) -> None:
    add_study_name(p, required=True)
    _format_arguments(p, "table")


def _configure_repair_journal(p: ArgumentParser) -> None:
    p.add_argument("journal", help="The damaged journal: a file path or a Redis URL.")
    p.add_argument(
        "--output", required=True, help="The new journal file (or Redis key prefix) to write."
    )
    p.add_argument("--redis-prefix", default="", help="Key prefix of a Redis journal.")


def _configure_ask(p: ArgumentParser) -> None:
    add_study_name(p)
    p.add_argument("--sampler", type=str, help="Class name of sampler object to create.")
    p.add_argument("--sampler-kwargs", type=str, help="Sampler keyword arguments as JSON.")
    p.add_argument("--search-space", type=str, help="Search space as JSON.")
    _format_arguments(p, "json")


def _configure_tell(p: ArgumentParser) -> None:
    add_study_name(p)
    p.add_argument("--trial-number", type=int, help="Trial number.")
    p.add_argument("--values", type=float, nargs="+", help="Objective values.")
    p.add_argument("--state", choices=("complete", "pruned", "fail"), help="Trial state.")
    p.add_argument("--skip-if-finished", action="store_true")


def _configure_dashboard(p: ArgumentParser) -> None:
    p.add_argument("dashboard_args", nargs="*", help="Dashboard arguments.")


COMMANDS = {
    "create-study": Command(create_study, "Create a new study.", _configure_create_study),
    "delete-study": Command(delete_study, "Delete a specified study.", add_study_name),
    "study set-user-attr": Command(
        set_user_attr, "Set a user attribute to a study.", _configure_set_user_attr
    ),
    "study-names": Command(
        study_names,
        "Get all study names stored in a specified storage.",
        lambda p: _format_arguments(p, "value", flatten=False),
    ),
    "studies": Command(studies, "Show a list of studies.", lambda p: _format_arguments(p, "table")),
    "trials": Command(trials, "Show a list of trials.", _configure_trial_listing),
    "best-trial": Command(best_trial, "Show the best trial.", _configure_trial_listing),
    "best-trials": Command(
        best_trials, "Show a list of trials located at the Pareto front.", _configure_trial_listing
    ),
    "storage upgrade": Command(storage_upgrade, "Upgrade the schema of an RDB storage."),
    "storage repair-journal": Command(
        storage_repair_journal,
        "Copy the readable records of a damaged journal, up to the damage, to a new journal.",
        _configure_repair_journal,
    ),
    "ask": Command(ask, "Create a new trial and suggest parameters.", _configure_ask),
    "tell": Command(tell, "Finish a trial, which was created by the ask command.", _configure_tell),
    "dashboard": Command(
        dashboard, "Serve the web dashboard (arguments go to the dashboard).", _configure_dashboard
    ),
}
