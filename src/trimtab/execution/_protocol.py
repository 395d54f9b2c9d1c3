"""The evaluator side of the coordinator/evaluator protocol.

An evaluator runs the user's objective on a ``RemoteTrial``. Every call that needs the study
(``suggest_*``, ``report``, ``should_prune``, attributes, ``trial.study`` reads) is sent to the
coordinator as ``call(op, *args)`` over the engine's channel and answered there by the live
``Trial``; the answer comes back as ``("ok", value)`` or ``("raise", exception)``.

An evaluation ends in an ``Outcome``: the returned value, a pruning, or an error with the
remote traceback. The coordinator turns it into COMPLETE/PRUNED/FAIL exactly as in-process.
"""

from __future__ import annotations

import datetime
import gc
import pickle
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trimtab._study_records import StudyDirection
from trimtab.distributions import BaseDistribution
from trimtab.exceptions import TrimtabError, is_trial_pruned
from trimtab.trial._base import BaseTrial

Call = Callable[..., Any]

# ``trial.study`` attributes an evaluator may read, and methods it may call.
STUDY_READS = frozenset(
    {
        "best_params",
        "best_trial",
        "best_trials",
        "best_value",
        "direction",
        "directions",
        "metric_names",
        "system_attrs",
        "trials",
        "user_attrs",
    }
)
STUDY_CALLS = frozenset({"get_trials", "set_user_attr", "stop"})


class RemoteTrialError(TrimtabError):
    """An objective raised in an evaluator an exception that could not be sent back as is."""


class RemoteTraceback(Exception):
    """Carries an evaluator's traceback text as the ``__cause__`` of the re-raised error."""

    def __str__(self) -> str:
        return str(self.args[0])


class AbandonedTrial(BaseException):
    """Raised inside an evaluator whose trial the coordinator has already ended."""


@dataclass(frozen=True)
class Job:
    """What an evaluator needs to run one trial."""

    trial_id: int
    number: int
    study_name: str
    directions: list[StudyDirection]
    datetime_start: datetime.datetime | None
    user_attrs: dict[str, Any] = field(default_factory=dict)
    gc_after_trial: bool = False
    greet: bool = False  # say "start" first: for engines that may silently re-run a task


@dataclass(frozen=True)
class Outcome:
    """How an evaluation ended: ``kind`` is "value", "pruned" or "error"."""

    kind: str
    value: Any = None
    message: str = ""
    error: bytes | None = None
    traceback: str = ""


def unpack_reply(reply: tuple[str, Any]) -> Any:
    """Return the value of a coordinator reply, or raise the exception it carries."""
    status, payload = reply
    if status == "ok":
        return payload
    if status == "abandon":
        raise AbandonedTrial(payload)
    raise payload


class RemoteStudy:
    """``trial.study`` inside an evaluator: reads and a few calls travel to the coordinator."""

    def __init__(self, call: Call, job: Job) -> None:
        self._call = call
        self.study_name = job.study_name

    def __getattr__(self, name: str) -> Any:
        if name in STUDY_READS:
            return self._call("study_get", name)
        if name in STUDY_CALLS:
            return lambda *args, **kwargs: self._call("study_call", name, args, kwargs)
        raise AttributeError(
            f"Study.{name} is not available inside an evaluator; the study lives in the "
            "coordinator process."
        )


class RemoteTrial(BaseTrial):
    """The trial an objective sees in an evaluator; behaves like ``trimtab.Trial``.

    ``post`` (when the engine offers it) sends a call whose answer is not needed at once
    (``report``, attributes, constraints): the evaluator goes on, and the answer is read
    before the next call that waits, so an error such a call raises in the coordinator
    surfaces there (or ends the trial as the objective's error).
    """

    def __init__(self, call: Call, job: Job, post: Call | None = None) -> None:
        self._call = call
        self._post = post or call
        self._job = job
        self.study = RemoteStudy(call, job)
        self._params: dict[str, Any] = {}
        self._distributions: dict[str, BaseDistribution] = {}
        self._user_attrs = dict(job.user_attrs)

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        value = self._call("suggest", name, distribution)
        self._params[name] = value
        self._distributions[name] = distribution
        return value

    def report(self, value: float, step: int) -> None:
        """Record ``value`` as the intermediate objective value at ``step``."""
        self._post("report", value, step)

    def should_prune(self) -> bool:
        """Ask the study's pruner (in the coordinator) whether to stop this trial now."""
        return bool(self._call("should_prune"))

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-serialisable value to this trial."""
        self._post("set_user_attr", key, value)
        self._user_attrs[key] = value

    def set_constraint(self, key: str, value: float) -> None:
        """Record a constraint value; the trial is feasible when every one is ``<= 0``."""
        self._post("set_constraint", key, value)

    @property
    def constraints(self) -> dict[str, float]:
        return dict(self._call("constraints"))

    def _set_system_attr(self, key: str, value: Any) -> None:
        """Store a system attribute on the trial (for trimtab's own tools, e.g. ``trimtab run``)."""
        self._post("set_system_attr", key, value)

    @property
    def number(self) -> int:
        return self._job.number

    @property
    def params(self) -> dict[str, Any]:
        return dict(self._params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        return dict(self._user_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        return self._job.datetime_start


def evaluate(
    objective: Callable[[Any], Any],
    call: Call,
    job: Job,
    post: Call | None = None,
    flush: Callable[[], None] | None = None,
) -> Outcome | None:
    """Run ``objective`` on a ``RemoteTrial`` for ``job``; None when the trial was abandoned.

    ``post`` and ``flush`` (optional) send calls without waiting and read their answers.
    """
    try:
        if job.greet:
            (post or call)("start")
        trial = RemoteTrial(call, job, post)
        try:
            returned = objective(trial)
            if flush is not None:
                flush()
        except Exception as err:
            if is_trial_pruned(err):
                return Outcome("pruned", message=str(err))
            return Outcome(
                "error", message=repr(err), error=_dumps_or_none(err), traceback=_format(err)
            )
    except AbandonedTrial:
        return None
    finally:
        if job.gc_after_trial:
            gc.collect()
    try:
        # Plain pickle, as the process pipe sends it: a value only cloudpickle can send (a
        # lambda) is no objective value either, and its repr gives the trial's fail reason.
        pickle.dumps(returned)
    except Exception:
        returned = repr(returned)
    return Outcome("value", value=returned)


def _format(err: BaseException) -> str:
    return "".join(traceback.format_exception(type(err), err, err.__traceback__))


def _dumps_or_none(obj: Any) -> bytes | None:
    try:
        import cloudpickle

        return bytes(cloudpickle.dumps(obj))
    except ImportError:
        pass
    except Exception:
        return None
    try:
        return pickle.dumps(obj)
    except Exception:
        return None


def load_error(outcome: Outcome) -> BaseException:
    """The evaluator's exception (or a ``RemoteTrialError`` naming it), with its traceback."""
    error: BaseException | None = None
    if outcome.error is not None:
        try:
            error = pickle.loads(outcome.error)
        except Exception:
            error = None
    if not isinstance(error, BaseException):
        error = RemoteTrialError(outcome.message)
    error.__cause__ = RemoteTraceback(outcome.traceback)
    return error
