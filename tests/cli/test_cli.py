"""The ``trimtab`` command: Optuna's commands and output, on SQLite and journal storages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import trimtab
from trimtab.cli import main
from trimtab.storages.journal import JournalFileBackend, JournalStorage

optuna = pytest.importorskip("optuna")


def _run(capsys: Any, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out.strip()


def _optuna(capsys: Any, monkeypatch: Any, *argv: str) -> str:
    import optuna.cli

    monkeypatch.setattr(sys, "argv", ["optuna", *argv])
    assert optuna.cli.main() == 0
    return str(capsys.readouterr().out.strip())


@pytest.fixture()
def url(tmp_path: Path) -> str:
    storage = f"sqlite:///{tmp_path}/cli.db"
    study = trimtab.create_study(storage=storage, study_name="s1")
    study.set_user_attr("owner", "me")
    for x in (3.0, 1.0, 2.0):
        study.add_trial(
            trimtab.trial.create_trial(
                value=x * x,
                params={"x": x, "k": "a"},
                distributions={
                    "x": trimtab.distributions.FloatDistribution(0, 5),
                    "k": trimtab.distributions.CategoricalDistribution(["a", "b"]),
                },
                user_attrs={"note": f"n{x}"},
            )
        )
    multi = trimtab.create_study(storage=storage, study_name="mo", directions=["minimize"] * 2)
    multi.add_trial(trimtab.trial.create_trial(values=[1.0, 2.0]))
    multi.add_trial(trimtab.trial.create_trial(values=[2.0, 1.0]))
    multi.add_trial(trimtab.trial.create_trial(values=[3.0, 3.0]))
    return storage


@pytest.mark.filterwarnings("ignore::Warning")
@pytest.mark.parametrize("fmt", ["value", "json", "table", "yaml"])
def test_listings_match_optuna(url: str, capsys: Any, monkeypatch: Any, fmt: str) -> None:
    for command in (
        ["study-names"],
        ["trials", "--study-name", "s1"],
        ["trials", "--study-name", "s1", "--flatten"],
        ["best-trial", "--study-name", "s1"],
        ["best-trials", "--study-name", "mo", "--flatten"],
        ["trials", "--study-name", "mo"],
    ):
        code, ours = _run(capsys, *command, "--storage", url, "-f", fmt)
        assert code == 0
        assert ours == _optuna(capsys, monkeypatch, *command, "--storage", url, "-f", fmt)


@pytest.mark.filterwarnings("ignore::Warning")
def test_studies_match_optuna(url: str, capsys: Any, monkeypatch: Any) -> None:
    code, ours = _run(capsys, "studies", "--storage", url, "-f", "json")
    assert code == 0
    assert json.loads(ours) == json.loads(
        _optuna(capsys, monkeypatch, "studies", "--storage", url, "-f", "json")
    )
    assert json.loads(ours)[0]["user_attrs"] == {"owner": "me"}


@pytest.mark.filterwarnings("ignore::Warning")
def test_study_admin_and_ask_tell(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("TRIMTAB_STORAGE", f"sqlite:///{tmp_path}/admin.db")
    assert _run(capsys, "create-study", "--study-name", "a", "--direction", "maximize") == (0, "a")
    assert _run(capsys, "create-study", "--study-name", "a", "--skip-if-exists") == (0, "a")
    assert _run(capsys, "create-study", "--study-name", "a")[0] == 1  # duplicate
    assert (
        _run(capsys, "study", "set-user-attr", "--study-name", "a", "-k", "k", "--value", "v")[0]
        == 0
    )
    space = json.dumps(
        {
            "x": {
                "name": "FloatDistribution",
                "attributes": {"low": 0, "high": 1, "log": False, "step": None},
            }
        }
    )
    code, out = _run(
        capsys,
        "ask",
        "--study-name",
        "a",
        "--search-space",
        space,
        "--sampler",
        "RandomSampler",
        "--sampler-kwargs",
        '{"seed": 0}',
    )
    asked = json.loads(out)
    assert code == 0 and asked["number"] == 0 and 0 <= asked["params"]["x"] <= 1
    assert (
        _run(capsys, "tell", "--study-name", "a", "--trial-number", "0", "--values", "0.5")[0] == 0
    )
    study = trimtab.load_study(study_name="a", storage=f"sqlite:///{tmp_path}/admin.db")
    assert study.best_value == 0.5 and study.user_attrs == {"k": "v"}
    assert (
        _run(
            capsys,
            "tell",
            "--study-name",
            "a",
            "--trial-number",
            "0",
            "--values",
            "1",
            "--skip-if-finished",
        )[0]
        == 0
    )
    assert _run(capsys, "delete-study", "--study-name", "a")[0] == 0
    assert _run(capsys, "study-names")[1] == ""


@pytest.mark.filterwarnings("ignore::Warning")
def test_journal_file_storage_is_detected(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "journal.log"
    study = trimtab.create_study(
        storage=JournalStorage(JournalFileBackend(str(path))), study_name="j"
    )
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    code, out = _run(capsys, "trials", "--storage", str(path), "--study-name", "j", "-f", "json")
    assert code == 0 and [t["number"] for t in json.loads(out)] == [0, 1]


def test_missing_storage_is_a_usage_error(caplog: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("TRIMTAB_STORAGE", raising=False)
    monkeypatch.delenv("OPTUNA_STORAGE", raising=False)
    assert main(["study-names"]) == 1
    assert "Storage URL is not specified" in caplog.text


def test_optuna_storage_variable_is_honoured(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("TRIMTAB_STORAGE", raising=False)
    monkeypatch.setenv("OPTUNA_STORAGE", f"sqlite:///{tmp_path}/o.db")
    assert _run(capsys, "create-study", "--study-name", "o") == (0, "o")
    assert _run(capsys, "study-names") == (0, "o")


def test_version_and_dashboard(capsys: Any, monkeypatch: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"trimtab {trimtab.__version__}"
    try:
        import trimtab.dashboard as dashboard
    except ImportError:
        assert main(["dashboard", "--port", "1"]) == 1
        assert "dashboard" in capsys.readouterr().err
        return
    received: list[tuple[list[str], str | None]] = []

    def fake_cli_main(argv: list[str], storage: str | None, storage_class: str | None) -> int:
        received.append((argv, storage))
        return 7

    monkeypatch.setattr(dashboard, "cli_main", fake_cli_main)
    assert main(["dashboard", "sqlite:///x.db", "--port", "8081", "-v"]) == 7
    # Options before the command are the CLI's, and the storage among them reaches the dashboard.
    assert main(["-q", "--storage", "sqlite:///y.db", "dashboard", "--port", "1"]) == 7
    assert received == [
        (["sqlite:///x.db", "--port", "8081", "-v"], None),
        (["--port", "1"], "sqlite:///y.db"),
    ]


def test_storage_upgrade_on_current_schema(tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path}/up.db"
    trimtab.create_study(storage=url, study_name="u")
    assert main(["storage", "upgrade", "--storage", url]) == 0


def test_console_script_entry_point(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/entry.db"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from trimtab.cli import main; sys.exit(main())",
            "create-study",
            "--storage",
            url,
            "--study-name",
            "e",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "e"
