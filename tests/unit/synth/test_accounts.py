"""Account ids are unique, opaque and shaped like real accounts of their country and kind."""

from __future__ import annotations

import numpy as np

from dentrace.synth.accounts import BANK, CRYPTO, WALLET, AccountIds


def test_ids_are_unique_for_every_short_format() -> None:
    ids = AccountIds(seed=3)
    numbers = np.arange(0, 30_000) * 33_331  # spread over the whole id space
    for country, kind in (("AU", BANK), ("PH", WALLET), ("CI", WALLET), ("CA", BANK),
                          ("TH", BANK), ("PH", CRYPTO)):
        made = ids.accounts(numbers, np.full(len(numbers), country, dtype=object),
                            np.full(len(numbers), kind, dtype=np.int8))
        assert len(set(made)) == len(made), (country, kind)


def test_formats_follow_country_and_kind() -> None:
    ids = AccountIds(seed=1)
    countries = np.array(["DE", "GB", "PH", "PH", "AU", "US", "NG"], dtype=object)
    kinds = np.array([BANK, BANK, BANK, WALLET, BANK, BANK, CRYPTO], dtype=np.int8)
    de, gb, ph_bank, ph_wallet, au, us, crypto = ids.accounts(np.arange(7), countries, kinds)
    assert de.startswith("DE") and len(de) == 22
    assert gb.startswith("GB") and gb[4:8].isalpha()
    assert ph_bank.isdigit() and len(ph_bank) == 12
    assert ph_wallet.startswith("+639")
    assert au[6] == "-" and au.replace("-", "").isdigit()
    assert us.startswith("0") and "-" in us
    assert crypto.startswith(("bc1q", "T"))


def test_customer_ids_differ_per_seed_and_never_repeat() -> None:
    a = AccountIds(seed=1).customers(np.arange(50_000))
    b = AccountIds(seed=2).customers(np.arange(50_000))
    assert len(set(a)) == 50_000
    assert a[:100] != b[:100]
    assert all(len(x) == 10 and x.isdigit() for x in a[:100])
