"""Removing personal data from free text: phone numbers, e-mail addresses, BSN, IBAN, addresses, names.

Each kind is replaced by a readable placeholder in the desk's language (settings.LANGUAGE_CODE, so
"[telefoonnummer]" in a Dutch desk), so a reader of an anonymised conversation still sees that a
number was given, and the text stays readable. Numbers that carry a check are replaced only when the
check passes (BSN: the elfproef; IBAN: mod 97), so order numbers, amounts, dates and times stay.
Phone numbers have no check: they are recognised by their shape (Dutch numbers exactly, others in
international notation), and dates are excluded explicitly.

A safety net, not a guarantee: names other than the contact's own, an address without a house
number or street suffix, or a description that identifies someone are not found (docs/privacy.md).
Redacting twice changes nothing: no placeholder matches any pattern.
"""

import re
from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

PHONE = _("[phone number]")
EMAIL = _("[e-mail address]")
BSN = _("[BSN]")
IBAN = _("[IBAN]")
ADDRESS = _("[address]")
NAME = _("[name]")

# --- E-mail -------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")

# --- IBAN ---------------------------------------------------------------------------------------------

# Length per country (the IBAN registry); a country not listed is accepted at 15 to 34 characters.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
# Two letters, two digits, then characters in groups as people type them (spaces or none).
_IBAN_CANDIDATE = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}")


def is_valid_iban(compact: str) -> bool:
    compact = compact.upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _redact_ibans(text: str) -> str:
    """Each longest valid IBAN that starts a candidate and ends where a word ends.

    Scanned by hand rather than with `sub`: a candidate may run on into the next words (or the next
    IBAN), and what follows a valid IBAN must be searched again.
    """
    found, position = [], 0
    while match := _IBAN_CANDIDATE.search(text, position):
        raw = match.group()
        ends = [i + 1 for i, ch in enumerate(raw) if ch != " " and (i + 1 == len(raw) or raw[i + 1] == " ")]
        end = next((e for e in reversed(ends) if is_valid_iban(raw[:e].replace(" ", ""))), None)
        if end is None:
            position = match.start() + 1
            continue
        found.append((match.start(), match.start() + end))
        position = match.start() + end
    for start, end in reversed(found):
        text = text[:start] + str(IBAN) + text[end:]
    return text


# --- BSN ----------------------------------------------------------------------------------------------

# Nine digits, together or grouped as people write them: 123456782, 1234.56.782, 123 456 782.
_BSN = re.compile(r"(?<![\w+.,-])(\d{4}[ .]?\d{2}[ .]?\d{3}|\d{3}[ .]\d{3}[ .]\d{3})(?![\w]|[.,-]\d)")


def is_valid_bsn(digits: str) -> bool:
    """The elfproef of a burgerservicenummer (nine digits, not all zero)."""
    if not re.fullmatch(r"\d{9}", digits) or digits == "000000000":
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def _redact_bsn(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group())
    return str(BSN) if is_valid_bsn(digits) else match.group()


# --- Phone numbers ------------------------------------------------------------------------------------

# A date written with dashes, dots or slashes is never a phone number: 06-12-2023 10:30.
_NOT_A_DATE = r"(?!\d{1,2}[-./]\d{1,2}[-./]\d{2,4}(?!\d))"
# Dutch: +31, 0031 or 0, then nine digits (the first not 0) with spaces, dashes, dots or brackets:
# 06-12345678, 06 12 34 56 78, 020-1234567, (020) 123 45 67, +31 (0)6 1234 5678, 0031 6 12345678.
_DUTCH_PHONE = re.compile(
    r"(?<![\w+])" + _NOT_A_DATE + r"(?:(?:\+|00)31[ .-]?(?:\(0\)[ .-]?)?|\(0|0)"
    r"[1-9](?:[ .\-)/]{0,2}\d){8}(?!\d)"
)
# Elsewhere: + or 00 and a country code, 8 to 15 digits in all (E.164): +32 470 12 34 56, +1 (212) 555-0100.
_INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])(?:\+|00)(?!31)[1-9](?:[ .\-)(/]{0,2}\d){7,14}(?!\d)")

# --- Addresses ----------------------------------------------------------------------------------------

_POSTCODE = r"[1-9]\d{3}(?:[ ]?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})(?![\w])"
_HOUSE_NUMBER = (
    r"(?:(?:nr|no|nummer|huisnummer)\.?\s*)?\d{1,5}"
    r"(?:\s?-\s?[A-Za-z0-9]{1,4}(?![\w])|\s?(?:hs|bis|huis|[IVX]{1,3})(?![\w])|[A-Za-z](?![\w])|\s[A-Za-z](?![\w]))?"
)
_STREET_SUFFIXES = (
    "straat|weg|laan|plein|gracht|kade|dijk|singel|plantsoen|pad|steeg|dreef|park|markt|burgwal|baan|"
    "boulevard|wal|kanaal|allee|haven|poort|brug|kwartier|zijde|wetering|vaart|hof"
)
# A street ends in a word such as -straat or -laan and may have capitalised words before it:
# Eerste Constantijn Huygensstraat, Burgemeester de Vlugtlaan.
_STREET = (
    r"(?:[A-Z][\w'.-]*\s+(?:(?:van|de|der|den|het|ter|ten|la|'t)\s+)*){0,3}"
    r"[\w'-]*(?:" + _STREET_SUFFIXES + r")"
)
# A street with a house number (and maybe the postcode and town), or a postcode with a house number:
# Damstraat 12, 1012 AB Amsterdam; 1012 AB 12; 1012AB 12-3; 1012ab, nr 12a.
_ADDRESS = re.compile(
    r"(?<![\w])(?:"
    + _STREET + r"\s+" + _HOUSE_NUMBER + r"(?:,?\s*" + _POSTCODE + r"(?:\s+[A-Z][\w-]+)?)?"
    + r"|" + _POSTCODE + r"(?:,\s*|\s+)" + _HOUSE_NUMBER
    + r")(?![\w])"
)  # fmt: skip


# --- Names --------------------------------------------------------------------------------------------

# Name parts that are also ordinary words or particles: replaced only as part of the whole name.
_SHORTEST_NAME_PART = 3
_PARTICLES = frozenset("van de der den het ter ten la le 't von di da du el al bin".split())


def _name_pattern(names: Iterable[str]) -> re.Pattern | None:
    """The contact's known names: each whole name in any case, and each capitalised part of it."""
    wholes, parts = set(), set()
    for name in names:
        name = " ".join(name.split())
        if len(name) < _SHORTEST_NAME_PART or name.startswith("["):
            continue
        wholes.add(name.lstrip("@"))
        for part in re.split(r"[\s,]+", name):
            part = part.strip("@.()\"'")
            if len(part) >= _SHORTEST_NAME_PART and part.lower() not in _PARTICLES and part[0].isupper():
                parts.add(part)
    if not wholes:
        return None
    alternatives = [f"(?i:{re.escape(w)})" for w in sorted(wholes, key=len, reverse=True)]
    alternatives += [re.escape(p) for p in sorted(parts, key=len, reverse=True)]
    return re.compile(r"(?<![\w])@?(?:" + "|".join(alternatives) + r")(?![\w])")


# --- The whole ----------------------------------------------------------------------------------------


def redact(text: str, *, names: Iterable[str] = ()) -> str:
    """`text` with phone numbers, e-mail addresses, BSNs, IBANs, addresses and `names` replaced.

    Repeated until nothing changes: a replacement can end a word that kept a number next to it
    from being seen ("Kerkstraat 5+31 6 12345678"), and redacting again must change nothing.
    """
    if not text:
        return text
    name_pattern = _name_pattern(names)
    with translation.override(settings.LANGUAGE_CODE):
        for _round in range(_MOST_ROUNDS):
            redacted = _redact_once(text, name_pattern)
            if redacted == text:
                break
            text = redacted
    return text


_MOST_ROUNDS = 5


def _redact_once(text: str, name_pattern: re.Pattern | None) -> str:
    text = _EMAIL.sub(str(EMAIL), text)
    text = _redact_ibans(text)
    text = _BSN.sub(_redact_bsn, text)
    text = _DUTCH_PHONE.sub(str(PHONE), text)
    text = _INTERNATIONAL_PHONE.sub(str(PHONE), text)
    text = _ADDRESS.sub(str(ADDRESS), text)
    if name_pattern is not None:
        text = name_pattern.sub(str(NAME), text)
    return text
