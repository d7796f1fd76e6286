"""The CLI exists, reports its version and prints data literally (never as Rich markup)."""

from pathlib import Path

from typer.testing import CliRunner

from dentrace import __version__, cases
from dentrace.auth import add_user
from dentrace.cli.main import app
from dentrace.store.sql import open_store


def test_version_prints_package_version() -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == __version__


# --- data is printed literally, never read as Rich markup (issue 16, point 15) -------------

WIDE = {"COLUMNS": "250"}  # no wrapping inside the text the tests look for


def _transactions(path: Path, header: str) -> Path:
    path.write_text(f"{header}\nT1,2024-01-01T10:00:00+07:00,A,B,10.00,USD,x\n",
                    encoding="utf-8")
    return path


def test_a_markup_header_ingests_and_a_missing_column_error_prints_it(tmp_path: Path) -> None:
    good = _transactions(tmp_path / "good.csv",
                         "txn_id,ts,sender_id,beneficiary_id,amount,currency,foo[/]")
    result = CliRunner().invoke(app, ["ingest", "--workspace", str(tmp_path / "ws"),
                                      "--transactions", str(good), "--quiet"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "good.csv" in result.stdout
    bad = _transactions(tmp_path / "bad.csv",
                        "txn_id,ts,sender_id,beneficiary_id,currency,foo[/],[spark]")
    result = CliRunner().invoke(app, ["ingest", "--workspace", str(tmp_path / "ws2"),
                                      "--transactions", str(bad), "--quiet"], env=WIDE)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "foo[/]" in result.stderr and "[spark]" in result.stderr


def test_audit_show_prints_a_markup_case_title_literally(tmp_path: Path) -> None:
    title = "[/] [spark] :gift: [red]x"
    with open_store(tmp_path) as store:
        ana = add_user(store, "ana", "analyst", "correct-horse-battery-staple")
        cases.open_case(store, ana, title, [("P1", "payer")])
    result = CliRunner().invoke(app, ["audit", "show", "--workspace", str(tmp_path)],
                                env=WIDE)
    assert result.exit_code == 0, result.output
    assert title in result.stdout


def test_a_bracketed_word_in_an_error_is_not_swallowed(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", "--workspace", str(tmp_path),
                                      "--engine", "[spark]"], env=WIDE)
    assert result.exit_code == 2
    assert "--engine '[spark]'" in result.stderr


def test_a_markup_path_shows_in_the_progress_bar_literally(tmp_path: Path) -> None:
    folder = tmp_path / "a["
    folder.mkdir()
    path = _transactions(folder / "b].csv",
                         "txn_id,ts,sender_id,beneficiary_id,amount,currency,memo")
    result = CliRunner().invoke(app, ["ingest", "--workspace", str(tmp_path / "ws"),
                                      "--transactions", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "b].csv" in result.stdout
