"""The hardened name encodings: folded names, salted by country, balanced to a constant weight,
and a Dice threshold that keeps name variants together and different names apart."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dentrace.share.encoding import (
    BITS,
    BYTES,
    DICE_THRESHOLD,
    NameEncoder,
    as_bit_matrix,
    dice_matrix,
    folded_name,
)

ENCODER = NameEncoder(b"b" * 32, b"p" * 32, b"k" * 32)


def dice(a: str, b: str, country_a: str = "PH", country_b: str = "PH") -> float:
    left, right = ENCODER.encode(a, country_a), ENCODER.encode(b, country_b)
    assert left is not None and right is not None
    return float(dice_matrix(as_bit_matrix([left]), as_bit_matrix([right]))[0, 0])


def test_names_fold_to_sorted_latin_words() -> None:
    assert folded_name("SANTOS, María") == folded_name("maria santos") == "maria santos"
    assert folded_name("Нгуен Ван") == "nguen van"


@pytest.mark.parametrize(("a", "b"), [
    ("Maria Santos", "SANTOS, Maria"),       # order and case
    ("Maria Santos", "Mara Santos"),         # a letter dropped
    ("Rowena Bautista", "Rowena Bautysta"),  # a letter replaced
    ("Marites Villanueva", "Marites Vilanueva"),
    ("Mark Anthony Dela Cruz", "Mark Antony Dela Cruz"),
    ("Somchai Srisuk", "Somchai Srisuk "),
    ("Nguyễn Văn Minh", "Nguyen Van Minh"),  # transliteration
])
def test_variants_of_one_name_match(a: str, b: str) -> None:
    assert dice(a, b) >= DICE_THRESHOLD


@pytest.mark.parametrize(("a", "b"), [
    ("Maria Santos", "Jose Reyes"),
    ("Maria Santos", "Rowena Bautista"),
    ("Somchai Srisuk", "Siriporn Saetang"),
])
def test_different_names_do_not(a: str, b: str) -> None:
    assert dice(a, b) < DICE_THRESHOLD


def test_the_country_salts_the_encoding() -> None:
    assert dice("Maria Santos", "Maria Santos", "PH", "PH") == 1.0
    assert dice("Maria Santos", "Maria Santos", "PH", "TH") < 0.7
    assert ENCODER.block("ph") == ENCODER.block("PH") != ENCODER.block("TH")


def test_another_key_gives_unrelated_encodings() -> None:
    other = NameEncoder(b"x" * 32, b"p" * 32, b"k" * 32)
    a, b = ENCODER.encode("Maria Santos", "PH"), other.encode("Maria Santos", "PH")
    assert a is not None and b is not None
    assert float(dice_matrix(as_bit_matrix([a]), as_bit_matrix([b]))[0, 0]) < 0.7


@settings(max_examples=50)
@given(st.text(min_size=1, max_size=60))
def test_every_encoding_has_half_its_bits_set(name: str) -> None:
    encoded = ENCODER.encode(name, "PH")
    if encoded is None:
        assert folded_name(name) == ""
        return
    assert len(encoded) == BYTES
    assert int(np.unpackbits(np.frombuffer(encoded, dtype=np.uint8)).sum()) == BITS
