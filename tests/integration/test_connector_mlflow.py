"""The MLflow connector against a real MLflow tracking store in a SQLite file."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric

from pilotgate.errors import InvalidInput
from pilotgate.evidence.connectors import connector_class
from pilotgate.evidence.connectors.base import ConnectorError
from pilotgate.evidence.connectors.mlflow import MlflowConnector, metric_key

F1_HISTORY = [0.80, 0.84, 0.87]

# MLflow's own SQLAlchemy store uses a loader strategy SQLAlchemy 2.1 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")


@dataclass(frozen=True)
class TrackedRun:
    tracking_uri: str
    run_id: str
    model_name: str
    model_version: str
    logged_at: list[datetime]  # when each F1 value was logged


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> TrackedRun:
    """A run that logged an F1 history and a loss, registered as version 1 of a model."""
    home = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{home}/mlflow.db"
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("churn", artifact_location=(home / "artifacts").as_uri())
    run_id = client.create_run(experiment).info.run_id
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    logged_at = [start + timedelta(minutes=step) for step in range(len(F1_HISTORY))]
    metrics = [
        Metric("f1", value, int(at.timestamp() * 1000), step)
        for step, (value, at) in enumerate(zip(F1_HISTORY, logged_at, strict=True))
    ]
    metrics.append(Metric("Val-Loss", 0.5, int(logged_at[-1].timestamp() * 1000), 0))
    client.log_batch(run_id, metrics=metrics)
    client.set_terminated(run_id)
    client.create_registered_model("churn-model")
    # A model version needs no artifact to exist: the source is only recorded.
    version = client.create_model_version("churn-model", source=f"runs:/{run_id}/model", run_id=run_id)
    return TrackedRun(uri, run_id, "churn-model", str(version.version), logged_at)


def connector(tracked: TrackedRun, **config: object) -> MlflowConnector:
    built = MlflowConnector.from_config({"tracking_uri": tracked.tracking_uri, **config})
    assert isinstance(built, MlflowConnector)
    return built


def last_hour() -> tuple[datetime, datetime]:
    until = datetime.now(UTC)
    return until - timedelta(hours=1), until


def test_pull_by_run_id_returns_the_metric_history(tracked: TrackedRun) -> None:
    since, until = last_hour()

    points = connector(tracked, run_id=tracked.run_id).pull(since=since, until=until)

    f1 = [p for p in points if p.metric == "mlflow.f1"]
    assert [p.value for p in f1] == F1_HISTORY
    assert [p.ts for p in f1] == tracked.logged_at
    assert all(p.ts.tzinfo is UTC and p.cohort == "" for p in points)
    assert [(p.metric, p.value) for p in points if p.metric != "mlflow.f1"] == [("mlflow.val_loss", 0.5)]


def test_pull_by_model_version_reads_the_run_it_was_registered_from(tracked: TrackedRun) -> None:
    since, until = last_hour()
    by_model = connector(tracked, model_name=tracked.model_name, model_version=int(tracked.model_version))

    points = by_model.pull(since=since, until=until)

    assert [p.value for p in points if p.metric == "mlflow.f1"] == F1_HISTORY


def test_only_the_configured_metrics_are_read(tracked: TrackedRun) -> None:
    since, until = last_hour()
    f1_only = connector(tracked, run_id=tracked.run_id, metrics=["f1"])

    assert f1_only.metric_keys() == ["mlflow.f1"]
    assert {p.metric for p in f1_only.pull(since=since, until=until)} == {"mlflow.f1"}
    assert connector(tracked, run_id=tracked.run_id).metric_keys() == []


def test_a_window_after_the_run_still_yields_the_final_value(tracked: TrackedRun) -> None:
    since = datetime.now(UTC) + timedelta(days=1)

    points = connector(tracked, run_id=tracked.run_id, metrics=["f1"]).pull(
        since=since, until=since + timedelta(days=1)
    )

    assert [(p.metric, p.ts, p.value) for p in points] == [("mlflow.f1", tracked.logged_at[-1], 0.87)]


def test_a_window_inside_the_history_yields_only_its_points(tracked: TrackedRun) -> None:
    middle = tracked.logged_at[1]

    points = connector(tracked, run_id=tracked.run_id, metrics=["f1"]).pull(since=middle, until=middle)

    assert [p.value for p in points] == [0.84]


def test_unknown_run_is_a_connector_error(tracked: TrackedRun) -> None:
    since, until = last_hour()

    with pytest.raises(ConnectorError, match=r"MLflow at sqlite:///.*: Run with id=0123abcd not found"):
        connector(tracked, run_id="0123abcd").pull(since=since, until=until)


def test_unknown_model_version_is_a_connector_error(tracked: TrackedRun) -> None:
    since, until = last_hour()

    with pytest.raises(ConnectorError, match=r"Model Version \(name=churn-model, version=9\) not found"):
        connector(tracked, model_name="churn-model", model_version="9").pull(since=since, until=until)


def test_a_metric_the_run_lacks_is_a_connector_error(tracked: TrackedRun) -> None:
    since, until = last_hour()

    with pytest.raises(ConnectorError, match=r"has no metric auc; it has: Val-Loss, f1"):
        connector(tracked, run_id=tracked.run_id, metrics=["f1", "auc"]).pull(since=since, until=until)


def test_a_missing_database_file_is_a_connector_error_not_a_new_store(tmp_path: pytest.TempPathFactory) -> None:
    missing = f"sqlite:///{tmp_path}/typo.db"
    since, until = last_hour()

    with pytest.raises(ConnectorError, match=r"no MLflow database at .*typo\.db; check tracking_uri"):
        MlflowConnector.from_config({"tracking_uri": missing, "run_id": "x"}).pull(since=since, until=until)


def test_without_mlflow_installed_the_error_says_how_to_install_it(
    tracked: TrackedRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)  # makes `import mlflow` fail as if absent
    since, until = last_hour()

    with pytest.raises(ConnectorError, match=r"pip install 'pilotgate\[mlflow\]'"):
        connector(tracked, run_id=tracked.run_id).pull(since=since, until=until)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ({"run_id": "abc", "model_name": "m", "model_version": "1"}, "not both"),
        ({"run_id": "abc", "model_name": "m"}, "not both"),
        ({}, "give run_id, or both model_name and model_version"),
        ({"model_name": "m"}, "give run_id, or both model_name and model_version"),
        ({"tracking_uri": "", "run_id": "abc"}, "tracking_uri: String should have at least 1 character"),
    ],
)
def test_bad_config_is_invalid_input(raw: dict[str, object], why: str) -> None:
    with pytest.raises(InvalidInput, match=f"mlflow connector: .*{why}"):
        MlflowConnector.from_config({"tracking_uri": "sqlite:///mlflow.db", **raw})


def test_the_registry_knows_the_connector_and_metric_names_become_keys() -> None:
    assert connector_class("mlflow") is MlflowConnector
    assert metric_key("Recall@5") == "mlflow.recall_5"
    assert metric_key("val-loss.mean") == "mlflow.val_loss_mean"
