"""Payment memos (remittance information) in the styles people really type them.

Each purpose has phrases in several languages; each phrase has fixed spelling variants (case,
typos, punctuation) so memos are drawn vectorised from one flat table.
"""

from __future__ import annotations

import numpy as np

# purpose -> language -> phrases. 'en' is the fallback for every language.
PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "family": {
        "en": ("support", "for mom", "family support", "allowance", "for the house", "monthly",
               "for bills", "groceries", "for mama", "pocket money", "rent", "love you", "load",
               "snacks", "for the kids", "bday", "for food", "help"),
        "tl": ("padala", "pang gastos", "para sa bahay", "pambayad kuryente", "para kay nanay",
               "pang tuition", "allowance mo", "pang load", "pambili", "pang baon", "pangkain"),
        "es": ("para la casa", "para mi mamá", "gastos del mes", "ayuda", "mensualidad"),
        "vi": ("gui me", "tien nha", "gui bo me", "tien hoc"),
        "th": ("ให้แม่", "ค่าใช้จ่าย", "hai mae", "kha chai jai"),
        "id": ("kiriman", "untuk ibu", "uang bulanan", "biaya sekolah"),
        "ro": ("pentru mama", "cheltuieli", "ajutor"),
        "hi": ("ghar ke liye", "maa ke liye", "family exp"),
    },
    "family_extra": {
        "en": ("school fees", "tuition", "medical", "hospital bill", "christmas", "birthday",
               "medicine", "for school", "emergency", "uniform", "fiesta"),
        "tl": ("pang tuition", "pang ospital", "pamasko", "pambili gamot"),
        "es": ("matrícula", "medicinas", "navidad", "cumpleaños"),
    },
    "partner": {
        "en": ("for you", "love", "rent", "bills", "miss you", "for food", "xoxo", "help",
               "phone bill", "allowance", "my love", "for u babe", "bday", "gift", "treat",
               "load", "school fees"),
        "es": ("para ti", "te amo", "arriendo"),
        "tl": ("para sayo", "pang load", "mahal kita"),
    },
    "sponsor": {
        "en": ("child sponsorship", "sponsor", "monthly donation", "donation", "sponsorship",
               "sponsor child", "pledge"),
    },
    "invoice": {
        "en": ("invoice", "inv", "services", "payment for services", "consulting", "design work",
               "VA services", "monthly retainer", "dev work", "payroll", "contractor payment"),
    },
    "romance": {
        "en": ("medical", "visa", "ticket", "hospital", "customs fee", "flight", "loan",
               "for the visa", "clearance fee", "lawyer", "help", "urgent", "travel"),
    },
    "performer": {
        "en": ("tip", "gift", "for you", "show", "thanks", "private", "bonus", "xx", "treat"),
        "es": ("regalo", "propina", "para ti"),
        "ro": ("cadou", "pentru tine"),
    },
    "sextortion": {
        "en": ("pls", "sorry", "payment", "loan", "ok", "done", "gift", "delete"),
    },
    "cover": {
        "en": ("school fees", "gift", "load", "help", "for food", "allowance", "for school",
               "medicine", "bday", "support", "tuition", "for you", "snacks", "rent",
               "for the kids", "treat"),
        "tl": ("pang load", "pambili", "pang baon", "pangkain"),
    },
    "domestic": {
        "en": ("rent", "dinner", "thanks", "share", "bbq", "petrol", "uber", "tickets", "loan",
               "pay back", "groceries", "holiday", "gift", "drinks", "birthday present"),
        "de": ("Miete", "danke", "Essen", "Geschenk"),
        "sv": ("hyra", "tack", "middag", "swish lån"),
    },
    "bill": {
        "en": ("ref", "acct", "bill payment", "invoice", "direct debit", "policy", "contract"),
    },
    "salary": {
        "en": ("SALARY", "PAYROLL", "WAGES", "SAL", "PAY"),
    },
    "abroad": {
        "en": ("transfer", "gift", "tuition", "deposit", "repayment", "holiday rental",
               "for dad", "savings"),
    },
}

# Every cover word offenders use is also typed by honest senders (see test_memos.py).

# Destination country -> memo language besides English.
COUNTRY_LANGUAGE = {"PH": "tl", "CO": "es", "DO": "es", "MX": "es", "VN": "vi", "TH": "th",
                    "ID": "id", "RO": "ro", "IN": "hi", "DE": "de", "SE": "sv"}


# Purposes typed by systems or bookkeepers: only the case varies.
FORMAL = {"salary", "bill", "invoice", "sponsor"}


def _variants(phrase: str, formal: bool = False) -> list[str]:
    """Fixed spelling variants of a phrase: as typed, lower, upper, a typo, with punctuation."""
    if formal:
        return [phrase, phrase, phrase.lower(), phrase.upper()]
    h = sum(ord(c) for c in phrase)
    cut = 1 + h % max(1, len(phrase) - 2)
    typo = phrase[:cut] + phrase[cut + 1:] if len(phrase) > 4 else phrase + phrase[-1]
    doubled = phrase[:cut] + phrase[cut - 1] + phrase[cut:]
    return [phrase, phrase, phrase.lower(), phrase.upper(), phrase.capitalize(), typo, doubled,
            phrase + " !", phrase + ".", phrase.capitalize() + " x"]


class MemoBook:
    """Draws memos for a purpose, optionally in a destination country's language."""

    def __init__(self) -> None:
        self._tables: dict[tuple[str, str], np.ndarray] = {}

    def table(self, purpose: str, language: str) -> np.ndarray:
        key = (purpose, language)
        if key not in self._tables:
            langs = PHRASES[purpose]
            phrases = list(langs["en"]) + list(langs.get(language, ())) * 2
            flat = [v for p in phrases for v in _variants(p, purpose in FORMAL)]
            self._tables[key] = np.array(flat, dtype=object)
        return self._tables[key]

    def draw(self, rng: np.random.Generator, purpose: str, n: int, p_empty: float,
             countries: np.ndarray | None = None) -> np.ndarray:
        """n memos; a share p_empty are empty (None). Language follows ``countries`` if given."""
        out = np.full(n, None, dtype=object)
        filled = np.flatnonzero(rng.random(n) >= p_empty)
        if countries is None:
            groups = {"en": filled}
        else:
            uniq, inverse = np.unique(countries[filled].astype(str), return_inverse=True)
            langs = np.array([COUNTRY_LANGUAGE.get(str(c), "en") for c in uniq])[inverse]
            groups = {str(lang): filled[langs == lang] for lang in np.unique(langs)}
        for lang, rows in groups.items():
            table = self.table(purpose, str(lang))
            out[rows] = table[rng.integers(0, len(table), len(rows))]
        return out

    @staticmethod
    def references(rng: np.random.Generator, words: np.ndarray) -> np.ndarray:
        """Append an invoice or bill number to some memo words ('inv 20931')."""
        out = words.copy()
        rows = np.flatnonzero(out != None)  # noqa: E711 (element-wise on an object array)
        numbers = rng.integers(100, 99999, len(rows)).astype(str)
        out[rows] = out[rows] + " " + numbers.astype(object)
        return out
