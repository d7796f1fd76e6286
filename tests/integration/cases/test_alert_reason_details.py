"""Alerts with structured reasons in the cases store (migration 0005): imported from a scan's
alerts.parquet with their counterparties and contributions, served by the API; alerts imported
before the migration still open, from their codes and explanation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from dentrace import cases
from dentrace.auth import Account, add_user, get_account
from dentrace.contract.alert import AlertRecord, Counterparty, Reason
from dentrace.errors import InputError
from dentrace.store.sql import open_store
from dentrace.store.sql.engine import MIGRATIONS

RECORD = AlertRecord(party_id="P1", role="payer", score=0.9, attribution="rules", reasons=(
    Reason(code="KNOWN_LINK", text="pays 1 known facilitator; shares beneficiaries with known "
           "offenders 0 times", values={"known_facilitators_paid": 1.0},
           counterparties=(Counterparty(party_id="F9", name="Rosa Dela Cruz", payments=3),),
           txn_ids=("T1", "T2", "T3"), strength=1.0, contribution=0.6),))


def _write_alerts(path: Path, details: str | None) -> Path:
    columns = RECORD.columns()
    table = {k: [v] for k, v in columns.items()} | {"alert": [True],
                                                     "reason_details": [details]}
    pq.write_table(pa.table(table), path)
    return path


def test_imported_alerts_keep_their_structured_reasons(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    add_user(store, "ana", "analyst", "correct-horse-battery-staple")
    cases.import_alerts(store, _write_alerts(tmp_path / "alerts.parquet",
                                             RECORD.columns()["reason_details"]))
    [view] = cases.list_alerts(store, get_account(store, "ana"))
    assert view.reason_details == RECORD.reasons
    assert view.reasons == ["KNOWN_LINK"] and view.explanation == RECORD.explanation
    store.close()


def test_a_bad_reason_details_names_file_row_and_field(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    path = _write_alerts(tmp_path / "alerts.parquet", '{"reasons": [{"code": ""}]}')
    with pytest.raises(InputError) as raised:
        cases.import_alerts(store, path)
    assert (raised.value.file, raised.value.row, raised.value.field) == (
        str(path), 1, "reason_details")
    store.close()


def test_an_alert_imported_before_migration_0005_still_opens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    day = datetime(2026, 1, 1)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(text(
            "INSERT INTO users (username, password_hash, role, active, created_at) "
            "VALUES ('ana', '-', 'analyst', 1, :day)"), {"day": day})
        connection.execute(text(
            "INSERT INTO scan_imports (scan_id, source, alerts, imported_at) "
            "VALUES ('s1', 'alerts.parquet', 1, :day)"), {"day": day})
        connection.execute(text(
            "INSERT INTO alerts (scan_id, party_id, role, score, reasons, explanation, "
            "txn_ids, status, created_at) VALUES ('s1', 'P1', 'payer', 0.9, "
            "'NIGHT;SMALL_CORRIDOR', 'NIGHT: 4 of 4 at night; SMALL_CORRIDOR: 4 small', "
            "'[\"T1\"]', 'new', :day)"), {"day": day})
    engine.dispose()
    with open_store(database_url=url) as store:
        ana = Account(id=1, username="ana", role="analyst", active=True)
        [view] = cases.list_alerts(store, ana)
    assert view.reasons == ["NIGHT", "SMALL_CORRIDOR"]
    assert view.explanation == "NIGHT: 4 of 4 at night; SMALL_CORRIDOR: 4 small"
    assert [r.code for r in view.reason_details] == ["NIGHT", "SMALL_CORRIDOR"]
    assert all(r.txn_ids == ("T1",) and r.text == "" for r in view.reason_details)
