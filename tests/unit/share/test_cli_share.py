"""``dentrace share``: keys are made, signals exported and bad key files named, from the
command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dentrace.cli.main import app

WIDE = {"COLUMNS": "250"}


def test_keys_then_export_from_the_command_line(workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    keys = tmp_path / "k"
    made = runner.invoke(app, ["share", "keys", "--institution", "BANK-A",
                               "--out", str(keys / "a.pem")], env=WIDE)
    assert made.exit_code == 0, made.output
    assert '"BANK-A" = "' in made.output
    assert (keys / "a.pem").stat().st_mode & 0o077 == 0  # the private key is the owner's only
    again = runner.invoke(app, ["share", "keys", "--institution", "BANK-A",
                                "--out", str(keys / "a.pem")], env=WIDE)
    assert again.exit_code == 2 and "never overwritten" in again.output
    for key_id in ("2026-06", "2026-12"):
        rotated = runner.invoke(app, ["share", "consortium-key", "--key-file",
                                      str(keys / "c.toml"), "--key-id", key_id], env=WIDE)
        assert rotated.exit_code == 0, rotated.output
    assert "current key 2026-12; 2 key(s) held" in rotated.output
    out = tmp_path / "a.signals"
    exported = runner.invoke(app, ["share", "export", "--workspace", str(workspace),
                                   "--key-file", str(keys / "c.toml"), "--signing-key",
                                   str(keys / "a.pem"), "--institution", "BANK-A",
                                   "--out", str(out)], env=WIDE)
    assert exported.exit_code == 0, exported.output
    assert "2 signals (1 alerted, 1 known)" in exported.output
    assert "1 withdrawn; consortium key 2026-12" in exported.output
    assert out.is_file()


def test_a_bad_consortium_key_file_is_named(workspace: Path, tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('current = "k1"\n[keys]\nk1 = "not hex [red]"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["share", "export", "--workspace", str(workspace),
                                      "--key-file", str(bad), "--signing-key",
                                      str(tmp_path / "none.pem"), "--institution", "B",
                                      "--out", str(tmp_path / "x")], env=WIDE)
    assert result.exit_code == 2
    assert "c.toml: key 'k1': expected 64 hex digits" in result.output


def test_match_from_the_command_line_names_a_refused_file(
        workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    keys = tmp_path / "k"
    made = runner.invoke(app, ["share", "keys", "--institution", "BANK-A",
                               "--out", str(keys / "a.pem")], env=WIDE)
    (keys / "senders.toml").write_text("[senders]\n" + made.output.splitlines()[-1] + "\n",
                                       encoding="utf-8")
    runner.invoke(app, ["share", "consortium-key", "--key-file", str(keys / "c.toml"),
                        "--key-id", "k1"], env=WIDE)
    out = tmp_path / "a.signals"
    common = ["--workspace", str(workspace), "--key-file", str(keys / "c.toml")]
    runner.invoke(app, ["share", "export", *common, "--signing-key", str(keys / "a.pem"),
                        "--institution", "BANK-A", "--out", str(out)], env=WIDE)
    matched = runner.invoke(app, ["share", "match", *common, "--senders",
                                  str(keys / "senders.toml"), "--signals", str(out)], env=WIDE)
    assert matched.exit_code == 0, matched.output
    # its own signals match its own parties: the phone and the known facilitator
    assert "1 file(s), 2 signals, 1 withdrawn; 2 identifier and 2 name hits; 2 local" \
        in matched.output
    huge = runner.invoke(app, ["share", "match", *common, "--senders",
                               str(keys / "senders.toml"), "--signals", str(out),
                               "--max-bytes", "10"], env=WIDE)
    assert huge.exit_code == 2 and "a.signals" in huge.output and "10 allowed" in huge.output
