"""Hardened Bloom-filter encodings of a name and country (cryptographic long-term keys, CLKs),
compared by the Dice coefficient: fuzzy matching of names neither side reveals.

Published hardening applied (Schnell, Bachteler & Reiher 2009 for CLKs; Ranbaduge & Schnell
2020 and Christen et al. for the attacks and defences):
- keyed hashing: each name bigram sets ``HASHES`` positions taken from HMAC-SHA512 under a key
  derived from the consortium key, so nobody outside builds or tests encodings;
- salting per record with the country: the country is in every HMAC input, so the same name in
  two countries gives unrelated filters and bigram frequencies do not pool across countries
  (the cost: a name matches only within its country, which blocking needs anyway);
- balancing: the filter is followed by its complement and the bits permuted under a keyed
  permutation, so every encoding has exactly half its bits set and the count of ones no longer
  tells the name's length; Dice on balanced filters is ``1 - hamming / (2 * BITS)``, a monotone
  function of the raw filters' Hamming distance.
XOR-folding (halving the filter by XOR of its halves) is not applied: on balanced filters it
destroys the constant weight, and it costs accuracy (benchmarks/share.py measures both).

Names are folded first: transliterated to Latin (anyascii), lower-cased, punctuation dropped,
words sorted, so "SANTOS, Maria" and "Maria Santos" encode alike.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Final

import numpy as np
from anyascii import anyascii

BITS: Final = 1024  # the raw filter; balanced it is 2 * BITS
HASHES: Final = 20
BYTES: Final = 2 * BITS // 8
# A name pair at or above this Dice (on balanced filters) is a fuzzy match. Chosen on synthetic
# variants (typos, transliteration, order, initials) against different names of the same country
# (best F1 at 0.93-0.94 on balanced filters; clear-name bigram Dice peaks at 0.80, as the balanced
# scale is compressed towards 1):
# see tests/unit/share/test_encoding.py and benchmarks/share.py for the measured F1.
DICE_THRESHOLD: Final = 0.93

_NOT_WORD = re.compile(r"[^a-z0-9 ]+")


def folded_name(name: str) -> str:
    """The name as encoded: Latin letters, lower case, words sorted, single spaces."""
    latin = anyascii(name).lower()
    words = _NOT_WORD.sub(" ", latin).split()
    return " ".join(sorted(words))


def bigrams(folded: str) -> set[str]:
    """Bigrams of each word padded with '_' ('ana' -> _a, an, na, a_)."""
    grams: set[str] = set()
    for word in folded.split():
        padded = f"_{word}_"
        grams.update(padded[i:i + 2] for i in range(len(padded) - 1))
    return grams


def country_of(country: str | None) -> str:
    """The salt: an ISO alpha-2 code upper-cased, '' when absent or malformed."""
    text = (country or "").strip().upper()
    return text if re.fullmatch(r"[A-Z]{2}", text) else ""


class NameEncoder:
    """Encodes (name, country) pairs under one consortium key's derived keys."""

    def __init__(self, bloom_key: bytes, permute_key: bytes, block_key: bytes) -> None:
        self._bloom_key = bloom_key
        self._block_key = block_key
        seed = int.from_bytes(hashlib.sha256(permute_key).digest(), "big")
        self._permutation = np.random.default_rng(seed).permutation(2 * BITS)

    def block(self, country: str | None) -> str:
        """A keyed token of the country: which signals a local name is compared with."""
        salt = country_of(country)
        return hmac.new(self._block_key, salt.encode(), hashlib.sha256).hexdigest()[:16]

    def raw(self, name: str, country: str | None) -> np.ndarray | None:
        """The unbalanced filter as BITS booleans, or None when the name folds to nothing."""
        grams = bigrams(folded_name(name))
        if not grams:
            return None
        salt = country_of(country)
        bits = np.zeros(BITS, dtype=bool)
        for gram in grams:
            digest = hmac.new(self._bloom_key, f"{salt}\x1f{gram}".encode(),
                              hashlib.sha512).digest()
            positions = np.frombuffer(digest, dtype=">u2")[:HASHES] % BITS
            bits[positions] = True
        return bits

    def encode(self, name: str, country: str | None) -> bytes | None:
        """The balanced, permuted filter packed into BYTES bytes, or None for no name."""
        bits = self.raw(name, country)
        if bits is None:
            return None
        balanced = np.concatenate([bits, ~bits])[self._permutation]
        return np.packbits(balanced).tobytes()


def as_bit_matrix(encodings: list[bytes]) -> np.ndarray:
    """Packed encodings as an (n, 2 * BITS) float32 0/1 matrix for Dice by matrix product."""
    if not encodings:
        return np.zeros((0, 2 * BITS), dtype=np.float32)
    packed = np.frombuffer(b"".join(encodings), dtype=np.uint8).reshape(len(encodings), BYTES)
    return np.unpackbits(packed, axis=1).astype(np.float32)


def dice_matrix(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Dice coefficients of every row of ``left`` with every row of ``right`` (0/1 matrices)."""
    overlap = left @ right.T
    sizes = left.sum(axis=1)[:, None] + right.sum(axis=1)[None, :]
    return np.divide(2 * overlap, sizes, out=np.zeros_like(overlap), where=sizes > 0)
