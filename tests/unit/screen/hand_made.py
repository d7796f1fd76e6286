"""Hand-made payments for the screening tests: an offender-like buyer paying several collectors
that many unrelated buyers pay, and a family remitter sending fixed sums to its mother."""

from __future__ import annotations

from datetime import datetime, timedelta

START = datetime(2026, 3, 2, 22, 30)


def payment(txn: str, when: datetime, sender: str, beneficiary: str, amount: float,
            **extra: str) -> dict[str, object]:
    return {"txn_id": txn, "ts": when.isoformat() + "+10:00", "sender_id": sender,
            "beneficiary_id": beneficiary, "amount": amount, "currency": "AUD",
            "sender_country": "AU", "beneficiary_country": "PH", "channel": "remittance",
            **extra}


def collector_traffic() -> list[dict[str, object]]:
    """Five unrelated buyers each paying three collectors small night sums every few days."""
    rows = []
    for buyer in range(5):
        for k in range(12):
            for collector in range(3):
                when = START + timedelta(days=4 * k + buyer % 3, minutes=7 * collector)
                rows.append(payment(f"b{buyer}-{k}-{collector}", when, f"BUYER{buyer}",
                                    f"COLLECTOR{collector}", 45 + 5 * k + buyer,
                                    sender_name=f"Buyer{buyer} Smith",
                                    beneficiary_name=f"Maria Cruz{collector}",
                                    memo="school fees"))
    return rows


def offender() -> list[dict[str, object]]:
    """The screened buyer: escalating small night payments to the same collectors."""
    return [payment(f"o-{k}", START + timedelta(days=3 * k, hours=1), "SUSPECT",
                    f"COLLECTOR{k % 3}", 30 + 8 * k, sender_name="John Brown",
                    beneficiary_name=f"Maria Cruz{k % 3}", memo="for school")
            for k in range(16)]


def family_remitter() -> list[dict[str, object]]:
    """Monthly fixed sums to the sender's mother, by day, same surname."""
    return [payment(f"f-{k}", datetime(2026, 1, 5, 11, 0) + timedelta(days=30 * k), "SON",
                    "MOTHER", 400.0, sender_name="Jose Santos",
                    beneficiary_name="Lourdes Santos", memo="for nanay")
            for k in range(6)]
