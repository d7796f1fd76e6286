"""Currency conversion to the reporting currency; customers and known files get their rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dentrace.errors import ConfigError, WorkspaceError
from dentrace.ingest import ingest, load_rates
from tests.unit.ingest.ingest_rows import good_row

Query = Callable[[str], list[tuple[object, ...]]]

SHIPPED = ("USD EUR GBP AUD CAD NZD SEK NOK DKK CHF JPY SGD HKD PHP THB IDR VND MYR INR CNY "
           "KRW COP MXN BRL RON UAH RUB NGN GHS ZAR AED SAR KES PKR BDT LKR BTC USDT ETH")


def test_shipped_rates_cover_the_currencies_and_are_dated() -> None:
    rates = load_rates()
    assert set(SHIPPED.split()) <= set(rates.to_usd)
    assert rates.as_of[:2] == "20"


def test_amounts_convert_to_usd_by_default(write_csv: Callable[..., Path], tmp_path: Path,
                                           query: Query) -> None:
    path = write_csv("a.csv", [good_row("u", "10", "USD"), good_row("e", "10", "eur"),
                               good_row("p", "1000", "PHP")])
    rates = load_rates()
    report = ingest(tmp_path / "ws", transactions=path, quiet=True)
    assert (report.reporting_currency, report.rates_as_of) == ("USD", rates.as_of)
    got = dict(query("SELECT txn_id, amount_ref FROM transactions"))
    assert got["u"] == pytest.approx(10)
    assert got["e"] == pytest.approx(10 * rates.to_usd["EUR"])
    assert got["p"] == pytest.approx(1000 * rates.to_usd["PHP"])
    assert query("SELECT value FROM meta WHERE key = 'reporting_currency'") == [("USD",)]


def test_user_rates_and_reporting_currency(write_csv: Callable[..., Path], tmp_path: Path,
                                           query: Query) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate_to_usd,as_of\nUSD,1,2024-06-30\nEUR,1.25,2024-06-30\n"
                     "ABC,0.5,2024-06-30\n")
    path = write_csv("a.csv", [good_row("u", "10", "USD"), good_row("a", "10", "ABC"),
                               good_row("g", "10", "GBP")])
    report = ingest(tmp_path / "ws", transactions=path, rates=rates, reporting_currency="EUR",
                    quiet=True)
    assert (report.rows_accepted, report.rows_quarantined) == (2, 1)
    assert dict(query("SELECT txn_id, amount_ref FROM transactions")) == {
        "u": pytest.approx(8.0), "a": pytest.approx(4.0)}
    assert query("SELECT value FROM meta WHERE key = 'rates_as_of'") == [("2024-06-30",)]
    with pytest.raises(WorkspaceError, match="reports in EUR"):
        ingest(tmp_path / "ws", transactions=path, reporting_currency="USD", quiet=True)


def test_unknown_reporting_currency_or_zone_is_a_config_error(
        write_csv: Callable[..., Path], tmp_path: Path) -> None:
    path = write_csv("a.csv", [good_row("u")])
    with pytest.raises(ConfigError, match="XXX"):
        ingest(tmp_path / "ws", transactions=path, reporting_currency="XXX", quiet=True)
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        ingest(tmp_path / "ws2", transactions=path, default_tz="Mars/Olympus", quiet=True)


def test_customers_file_rules(write_csv: Callable[..., Path], tmp_path: Path,
                              query: Query) -> None:
    path = write_csv("c.csv", ["c1,Ana Cruz,1980-02-29,F,ph,PH,nurse,2019-05-01,gold",
                               ",No Id,,,,,,,",
                               "c2,Bo,1980-02-30,M,SE,SE,,,",
                               "c1,Ana Cruz,1980-02-29,F,ph,PH,nurse,2019-05-01,gold"],
                     header="customer_id,name,birth_date,gender,country,nationality,"
                            "occupation,customer_since,tier")
    report = ingest(tmp_path / "ws", customers=path, quiet=True)
    assert (report.rows_accepted, report.rows_quarantined, report.rows_duplicate) == (1, 2, 1)
    assert query("SELECT customer_id, birth_date::VARCHAR, country, extra FROM customers") == [
        ("c1", "1980-02-29", "PH", '{"tier":"gold"}')]
    assert query("SELECT line, field FROM quarantine ORDER BY 1") == [
        (3, "customer_id"), (4, "birth_date")]


def test_known_file_rules(write_csv: Callable[..., Path], tmp_path: Path,
                          query: Query) -> None:
    path = write_csv("k.csv", ["p1,Offender,2024-01-05", "p2,suspect,2024-01-05",
                               "p3,cleared,", "p4,facilitator,last year"],
                     header="party_id,label,as_of")
    report = ingest(tmp_path / "ws", known=path, quiet=True)
    assert (report.rows_accepted, report.rows_quarantined) == (2, 2)
    assert query("SELECT party_id, label, as_of::VARCHAR FROM known ORDER BY 1") == [
        ("p1", "offender", "2024-01-05"), ("p3", "cleared", None)]
    reasons = query("SELECT field, reason FROM quarantine ORDER BY line")
    assert reasons[0] == ("label", "label must be offender | facilitator | cleared, "
                                   "not 'suspect'")
    assert reasons[1][0] == "as_of"
