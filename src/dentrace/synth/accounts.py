"""Opaque, unique account, customer and payment ids for synthetic worlds.

Every id comes from one generator keyed on a global party number, the country and the
account kind only, so an id never reveals which population its holder belongs to.
"""

from __future__ import annotations

import numpy as np

BANK, WALLET, CRYPTO = 0, 1, 2
KIND_NAMES = ("bank", "wallet", "crypto")

_SPACE = 10**10  # customer numbers live below this; the affine map below is a bijection on it
ACCOUNT_SPACE = 10**9  # outside-account numbers live below this (9-digit bijection)
_IBAN = {"DE": (18, ""), "SE": (20, ""), "GB": (14, "BANK"), "RO": (16, "BANK"),
         "NL": (10, "BANK"), "IE": (14, "BANK"), "PL": (24, ""), "UA": (19, "6"),
         "CY": (16, "0"), "AE": (19, "0")}
_BANK_CODES = {"GB": ("NWBK", "BARC", "LOYD", "HBUK", "MIDL", "NAIA"),
               "RO": ("BTRL", "RNCB", "BRDE", "INGB", "RZBR"),
               "NL": ("INGB", "ABNA", "RABO", "SNSB"), "IE": ("AIBK", "BOFI", "IPBS")}
_DIGITS = {"PH": 12, "TH": 10, "VN": 13, "ID": 10, "IN": 14, "CO": 11, "NG": 10, "GH": 13,
           "MY": 12, "CI": 12, "CN": 19, "MX": 18, "DO": 10, "JM": 10, "RU": 20, "US": 10,
           "AU": 9, "CA": 9, "NZ": 15}
_DIAL = {"PH": ("63", "9"), "TH": ("66", "8"), "VN": ("84", "9"), "ID": ("62", "8"),
         "IN": ("91", "9"), "CO": ("57", "3"), "NG": ("234", "8"), "GH": ("233", "5"),
         "MY": ("60", "1"), "CI": ("225", "07"), "CN": ("86", "13"), "MX": ("52", "1"),
         "DO": ("1809", ""), "RO": ("40", "7"), "UA": ("380", "6"), "KE": ("254", "7")}
_B32 = np.array(list("qpzry9x8gf2tvdw0s3jn54khce6mua7l"))
_B58 = np.array(list("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"))


def _mix64(x: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 finaliser: a fixed pseudo-random 64-bit value per input number."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64((salt * 0x9E3779B97F4A7C15) % 2**64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class AccountIds:
    """Turns global party numbers into realistic-looking ids; one instance per world."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng([seed, 7041])
        self._mult = int(rng.integers(1, _SPACE // 10)) * 10 + int(rng.choice([1, 3, 7, 9]))
        self._add = int(rng.integers(0, _SPACE))
        self._salt = int(rng.integers(0, 2**31))
        self._mult9 = (int(rng.integers(1, ACCOUNT_SPACE // 10)) * 10
                       + int(rng.choice([1, 3, 7, 9])))
        self._add9 = int(rng.integers(0, ACCOUNT_SPACE))

    def core(self, numbers: np.ndarray) -> np.ndarray:
        """A bijective scramble of party numbers onto 10-digit numbers (unique in, unique out)."""
        n = numbers.astype(object)
        return np.array([(int(v) * self._mult + self._add) % _SPACE for v in n], dtype=np.int64)

    def core9(self, numbers: np.ndarray) -> np.ndarray:
        """The same kind of scramble onto 9-digit numbers, for short account formats."""
        if len(numbers) and int(numbers.max()) >= ACCOUNT_SPACE:
            raise ValueError("too many outside accounts for 9-digit account numbers")
        n = numbers.astype(object)
        return np.array([(int(v) * self._mult9 + self._add9) % ACCOUNT_SPACE for v in n],
                        dtype=np.int64)

    def customers(self, numbers: np.ndarray) -> list[str]:
        """The institution's own account numbers for its customers."""
        return [f"{c:010d}" for c in self.core(numbers)]

    def accounts(self, numbers: np.ndarray, countries: np.ndarray, kinds: np.ndarray) -> list[str]:
        """Account ids of outside parties, formatted by country and kind (bank/wallet/crypto)."""
        cores = self.core(numbers + _SPACE // 2)
        short = self.core9(numbers)
        noise = _mix64(cores, self._salt)
        out: list[str] = []
        for core, core9, extra, country, kind in zip(cores, short, noise, countries, kinds,
                                                     strict=True):
            if kind == CRYPTO:
                out.append(_crypto(int(core), int(extra)))
            elif kind == WALLET and country in _DIAL:
                dial, lead = _DIAL[country]
                out.append(f"+{dial}{lead}{core9:09d}")
            else:
                out.append(_bank(str(country), int(core), int(core9), int(extra)))
        return out

    def payment_numbers(self, start: int, count: int) -> np.ndarray:
        """Sequential payment numbers, as core banking systems issue them."""
        return np.arange(start, start + count, dtype=np.int64) + (self._add % 10**6) * 1000


def _bank(country: str, core: int, core9: int, extra: int) -> str:
    if country in _IBAN:
        length, bank = _IBAN[country]
        digits = f"{extra % 10**12:012d}{core:010d}"
        check = 2 + extra % 97
        if bank == "BANK":
            codes = _BANK_CODES[country]
            return f"{country}{check:02d}{codes[extra % len(codes)]}{digits[-length:]}"
        return f"{country}{check:02d}{bank}{digits[-(length - len(bank)):]}"
    length = _DIGITS.get(country, 12)
    if length < 10:  # too short for the 10-digit scramble: use the 9-digit one
        digits = f"{core9:09d}"[-length:]
    else:
        digits = f"{extra % 10**10:010d}{core:010d}"[-length:]
    if country == "AU":
        return f"{extra % 900000 + 10000:06d}-{digits}"
    if country == "CA":
        return f"{extra % 90000 + 10000:05d}-{extra % 900 + 1:03d}-{digits}"
    if country == "US":
        return f"0{extra % 10**8:08d}-{digits}"
    return digits


def _crypto(core: int, extra: int) -> str:
    value = (extra << 34) | core
    if extra % 3 == 0:  # a TRON (USDT) style address
        chars = [_B58[(value >> (5 * i)) % 58] for i in range(33)]
        return "T" + "".join(chars)
    chars = [_B32[(value >> (3 * i)) % 32] for i in range(38)]
    return "bc1q" + "".join(chars)
