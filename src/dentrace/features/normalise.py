"""Values as they come in real data, brought to what the features compare: channel synonyms,
the beneficiary's country from solid id evidence, local time without offsets, folded names.

Every rule is documented in docs/robustness.md; the channel map is extended by the config's
``[features.channel_aliases]``. Pure Ibis expressions (no engine-specific SQL).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

# other institutions' words for the contract channels (lower case, trimmed)
CHANNEL_ALIASES: dict[str, str] = {
    "mto": "remittance", "money transfer": "remittance", "money transfer operator": "remittance",
    "remit": "remittance", "remesa": "remittance", "western union": "remittance",
    "westernunion": "remittance", "moneygram": "remittance", "wu": "remittance",
    "ria": "remittance", "xoom": "remittance", "worldremit": "remittance",
    "remitly": "remittance", "cash pickup": "remittance", "cash pick-up": "remittance",
    "p2p": "wallet", "e-wallet": "wallet", "ewallet": "wallet", "mobile wallet": "wallet",
    "mobile money": "wallet", "gcash": "wallet", "paymaya": "wallet", "maya": "wallet",
    "paypal": "wallet", "m-pesa": "wallet", "mpesa": "wallet", "truemoney": "wallet",
    "sepa": "transfer", "sepa credit transfer": "transfer", "sct": "transfer",
    "ach": "transfer", "fps": "transfer", "faster payments": "transfer", "npp": "transfer",
    "payid": "transfer", "osko": "transfer", "zelle": "transfer", "bank transfer": "transfer",
    "eft": "transfer", "instant payment": "transfer", "giro": "transfer",
    "swift": "wire", "international wire": "wire", "wire transfer": "wire", "tt": "wire",
    "telegraphic transfer": "wire", "fedwire": "wire", "chaps": "wire", "mt103": "wire",
    "pos": "card", "debit card": "card", "credit card": "card", "card payment": "card",
    "ecom": "card", "e-commerce": "card", "visa": "card", "mastercard": "card",
    "btc": "crypto", "bitcoin": "crypto", "usdt": "crypto", "eth": "crypto",
    "virtual asset": "crypto", "atm": "cash", "cash deposit": "cash", "cash withdrawal": "cash",
}

# country calling codes (international prefix) of phone-style wallet ids; +1 is left out on
# purpose (US, CA and Caribbean share it) except the area codes of corridor countries
CALLING_CODES: dict[str, str] = {
    "1809": "DO", "1829": "DO", "1849": "DO", "1876": "JM", "1658": "JM",
    "63": "PH", "66": "TH", "62": "ID", "84": "VN", "855": "KH", "60": "MY", "57": "CO",
    "52": "MX", "40": "RO", "380": "UA", "233": "GH", "234": "NG", "856": "LA", "95": "MM",
    "254": "KE", "55": "BR", "51": "PE", "44": "GB", "61": "AU", "64": "NZ", "49": "DE",
    "33": "FR", "34": "ES", "39": "IT", "31": "NL", "353": "IE", "357": "CY", "86": "CN",
    "91": "IN", "65": "SG", "852": "HK", "81": "JP", "82": "KR", "27": "ZA", "48": "PL",
    "41": "CH", "46": "SE", "47": "NO", "45": "DK", "32": "BE", "43": "AT", "351": "PT",
    "30": "GR", "90": "TR", "971": "AE", "966": "SA", "92": "PK", "880": "BD", "94": "LK",
    "977": "NP", "20": "EG", "212": "MA", "54": "AR", "56": "CL", "58": "VE", "593": "EC",
    "502": "GT", "503": "SV", "504": "HN", "505": "NI", "506": "CR", "507": "PA",
    "509": "HT", "886": "TW", "670": "TL", "7": "RU",
}

# registered IBAN length per country: an id is read as an IBAN only when its length matches
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

# standard-time UTC offset (minutes) of each country's most populous zone; used only for a
# payment stamped +00:00 by a sender whose country is not on UTC (the offset was not local)
TYPICAL_UTC_OFFSET_MIN: dict[str, int] = {
    "US": -300, "CA": -300, "MX": -360, "BR": -180, "AR": -180, "CL": -240, "CO": -300,
    "PE": -300, "EC": -300, "VE": -240, "DO": -240, "JM": -300, "AU": 600, "NZ": 720,
    "DE": 60, "FR": 60, "ES": 60, "IT": 60, "NL": 60, "BE": 60, "AT": 60, "CH": 60, "SE": 60,
    "NO": 60, "DK": 60, "PL": 60, "CZ": 60, "SK": 60, "HU": 60, "SI": 60, "HR": 60, "LU": 60,
    "MT": 60, "GR": 120, "FI": 120, "RO": 120, "UA": 120, "BG": 120, "CY": 120, "EE": 120,
    "LV": 120, "LT": 120, "IL": 120, "EG": 120, "ZA": 120, "TR": 180, "RU": 180, "SA": 180,
    "QA": 180, "KW": 180, "KE": 180, "AE": 240, "PK": 300, "IN": 330, "LK": 330, "NP": 345,
    "BD": 360, "MM": 390, "TH": 420, "VN": 420, "KH": 420, "LA": 420, "ID": 420, "CN": 480,
    "HK": 480, "SG": 480, "MY": 480, "PH": 480, "TW": 480, "JP": 540, "KR": 540, "NG": 60,
    "MA": 60,
}

# accented Latin letters folded to their base letter before names are compared
_ACCENTED = "áàâäãåāăąçćčďéèêëēėęěíìîïīįłñńňóòôöõøōőŕřśšşťúùûüūůűųýÿźžż"
_PLAIN = "aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorrsssttuuuuuuuuyyzzz"


def channel_of(channel: ir.StringValue, aliases: dict[str, str]) -> ir.StringValue:
    """The channel trimmed, lower-cased and mapped through ``aliases`` (others kept)."""
    return channel.lower().strip().substitute(aliases) if aliases else channel.lower().strip()


def fold_name(name: ir.StringValue) -> ir.StringValue:
    """A name lower-cased with its accents removed ('SÁNTOS' and 'Santos' compare equal)."""
    return name.lower().translate(_ACCENTED, _PLAIN)


def _compact(account: ir.StringValue) -> ir.StringValue:
    return account.upper().re_replace(r"[\s\-./()]", "")


def country_from_phone(account: ir.StringValue) -> ir.StringValue:
    """The country of a phone-style id ('+63…' or '0063…', 8–15 digits), else NULL."""
    compact = _compact(account)
    digits = compact.re_extract(r"^(?:\+|00)([0-9]{8,15})$", 1)
    phone = compact.re_search(r"^(?:\+|00)[0-9]{8,15}$")
    codes = sorted(CALLING_CODES, key=len, reverse=True)  # longest prefix wins
    branches = [(phone & digits.startswith(code), ibis.literal(CALLING_CODES[code]))
                for code in codes]
    return ibis.cases(*branches, else_=ibis.null("string"))


def country_from_iban(account: ir.StringValue) -> ir.StringValue:
    """The country of an IBAN-shaped id whose length is that country's IBAN length, else NULL."""
    compact = _compact(account)
    shaped = compact.re_search(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
    prefix = compact.substr(0, 2)
    expected = prefix.substitute(IBAN_LENGTHS, else_=ibis.null("int64"))
    return ibis.ifelse(shaped & (compact.length() == expected), prefix, ibis.null("string"))


def beneficiary_country_of(t: ir.Table) -> ir.StringValue:
    """The stated beneficiary country, else the one the id proves (phone code or IBAN)."""
    stated = t.beneficiary_country.upper().strip().nullif("")
    return stated.coalesce(country_from_phone(t.beneficiary_id),
                           country_from_iban(t.beneficiary_id))


def local_hour(t: ir.Table) -> ir.IntegerValue:
    """The sender's local hour: as stamped, except a +00:00 stamp from a sender whose country
    is not on UTC, which is shifted by that country's typical offset (docs/robustness.md)."""
    country = t.sender_country.upper().strip()
    return local_hour_given(t, country.substitute(TYPICAL_UTC_OFFSET_MIN, else_=ibis.literal(0)))


def local_hour_given(t: ir.Table, typical: ir.IntegerValue) -> ir.IntegerValue:
    """``local_hour`` with the typical offset (minutes) of the sender's country given, e.g.
    joined from a per-country lookup (features/lookups.py)."""
    stamped_utc = (t.utc_offset_min == 0) & (typical != 0)
    shifted = t.ts_utc + typical.cast("int64").as_interval("m")
    return ibis.ifelse(stamped_utc.fill_null(False), shifted, t.ts_local).hour()
