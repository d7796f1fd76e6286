"""goAML STR: valid against the UAE 5.0.2 and Indonesian 4.0.2 schemas, amounts, codes,
narrative; refusal of unapproved cases; a schema failure names the element; audited CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from dentrace import audit
from dentrace.cli.main import app
from dentrace.ingest.rates import load_rates
from dentrace.report.errors import NotApproved, SchemaInvalid
from dentrace.report.goaml import load_config, write_goaml
from dentrace.report.material import case_material, party_material
from dentrace.store.sql import open_store
from tests.unit.report.report_sample import Sample


def _material(sample: Sample):  # type: ignore[no-untyped-def]
    with open_store(sample.workspace) as store:
        return case_material(store, sample.workspace, sample.approved_case)


def test_case_report_is_valid_against_the_uae_schema(sample: Sample, uae_schema: Path,
                                                      tmp_path: Path) -> None:
    material = _material(sample)
    result = write_goaml(material, load_config(schema=uae_schema), tmp_path / "str.xml")
    root = etree.parse(str(result.path)).getroot()
    assert root.findtext("report_code") == "STR"
    assert root.findtext("currency_code_local") == "AED"
    numbers = [t.findtext("transactionnumber") for t in root.iter("transaction")]
    assert numbers == material.transactions["txn_id"].tolist()
    indicators = [i.text for i in root.iter("indicator")]
    assert indicators[0] == "CSAM1" and len(indicators) > 1
    reason = root.findtext("reason") or ""
    explanation = material.findings[0].explanation
    first_values = explanation.split(": ", 1)[1].split(";")[0]
    assert first_values in reason and "approved for reporting by sam" in reason


def test_amounts_are_in_the_local_currency_and_channels_mapped(sample: Sample,
                                                              uae_schema: Path,
                                                              tmp_path: Path) -> None:
    material = _material(sample)
    config = load_config(schema=uae_schema)
    root = etree.parse(str(write_goaml(material, config, tmp_path / "s.xml").path)).getroot()
    factor = load_rates().convert_factor(material.reporting_currency, "AED")
    txns = material.transactions.set_index("txn_id")
    for node in root.iter("transaction"):
        row = txns.loc[node.findtext("transactionnumber")]
        assert float(node.findtext("amount_local") or 0) == pytest.approx(
            row["amount_ref"] * factor, abs=0.01)
        assert node.findtext("transmode_code") == config.transmode_code(row["channel"])
        client = node.find("t_from_my_client/from_account")
        assert client is not None and client.findtext("account") == row["sender_id"]
        assert node.find("t_to/to_account/account").text == row["beneficiary_id"]  # type: ignore[union-attr]


def test_indonesian_profile_is_valid_against_the_4_0_2_schema(sample: Sample,
                                                              ppatk_schema: Path,
                                                              tmp_path: Path) -> None:
    config = load_config("ppatk-4.0.2", schema=ppatk_schema)
    result = write_goaml(_material(sample), config, tmp_path / "ltkm.xml")
    root = etree.parse(str(result.path)).getroot()
    assert root.findtext("report_code") == "LTKM" and root.find("schema_version") is None
    assert "report/schema_version" in result.dropped
    assert root.find(".//transaction/t_from_my_client/from_account/status_code").text == "AKT"  # type: ignore[union-attr]


def test_a_case_not_approved_is_refused(sample: Sample) -> None:
    with open_store(sample.workspace) as store, pytest.raises(NotApproved, match="pending"):
        case_material(store, sample.workspace, sample.pending_case)


def test_an_invalid_report_names_the_element_and_is_not_left_looking_valid(
        sample: Sample, uae_schema: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[transmode]\ntransfer = "TELEPORT"\nwire = "TELEPORT"\n'
                   'remittance = "TELEPORT"\nwallet = "TELEPORT"\ncard = "TELEPORT"\n')
    out = tmp_path / "str.xml"
    out.write_text("<report/>")
    with pytest.raises(SchemaInvalid) as caught:
        write_goaml(_material(sample), load_config(bad, schema=uae_schema), out)
    problem = caught.value.problems[0]
    assert problem.element.endswith("/transmode_code") and "TELEPORT" in problem.reason
    assert not out.exists() and (tmp_path / "str.xml.invalid").exists()


def test_cli_refuses_pending_case_and_audits_party_exports(sample: Sample, uae_schema: Path,
                                                           tmp_path: Path) -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["report", "goaml", "--workspace", str(sample.workspace),
                                  "--case", str(sample.pending_case), "--schema",
                                  str(uae_schema), "--out", str(tmp_path / "x.xml")])
    assert refused.exit_code == 1 and "approved for reporting" in refused.output
    assert not (tmp_path / "x.xml").exists()
    done = runner.invoke(app, ["report", "goaml", "--workspace", str(sample.workspace),
                               "--party", sample.alerted_party, "--schema", str(uae_schema),
                               "--out", str(tmp_path / "p.xml")])
    assert done.exit_code == 0, done.output
    with open_store(sample.workspace) as store:
        entries = audit.entries(store, action="report_goaml", target_type="party",
                                target_id=sample.alerted_party)
    assert entries and entries[0].detail["files"]["p.xml"]
    assert party_material(sample.workspace, sample.alerted_party).kind == "party"


def test_configuration_errors_name_the_file_or_field(tmp_path: Path) -> None:
    from dentrace.errors import ConfigError
    from dentrace.report.goaml import FiuSchema

    with pytest.raises(ConfigError, match=r"no-such\.xsd"):
        FiuSchema(tmp_path / "no-such.xsd")
    not_xsd = tmp_path / "broken.xsd"
    not_xsd.write_text("<xs:schema")
    with pytest.raises(ConfigError, match=r"broken\.xsd"):
        FiuSchema(not_xsd)
    with pytest.raises(ConfigError, match=r"ppatk-4\.0\.2"):
        load_config("atlantis")
    bad = tmp_path / "bad.toml"
    bad.write_text("report = 3\n")
    with pytest.raises(ConfigError, match="field 'report'"):
        load_config(bad)
