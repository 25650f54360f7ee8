"""Redaction: personal data out of free text, everything else left as it was."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy.redaction import is_valid_bsn, is_valid_iban, redact

PHONE, EMAIL, BSN, IBAN, ADDRESS, NAME = (
    "[telefoonnummer]",
    "[e-mailadres]",
    "[BSN]",
    "[IBAN]",
    "[adres]",
    "[naam]",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Dutch phone numbers, as residents write them
        ("Bel me op 06-12345678.", f"Bel me op {PHONE}."),
        ("06 12 34 56 78 graag", f"{PHONE} graag"),
        ("mijn nummer 0612345678", f"mijn nummer {PHONE}"),
        ("06 1234 5678", PHONE),
        ("vast (020) 123 45 67, ook 020-1234567", f"vast {PHONE}, ook {PHONE}"),
        ("+31 6 12345678", PHONE),
        ("+31(0)6-12345678", PHONE),
        ("+31 (0)6 1234 5678", PHONE),
        ("0031 6 12345678", PHONE),
        ("+316 12345678", PHONE),
        ("+31201234567", PHONE),
        ("0413-123456", PHONE),
        # international
        ("From abroad: +32 470 12 34 56", f"From abroad: {PHONE}"),
        ("+44 20 7946 0958", PHONE),
        ("+1 (212) 555-0100", PHONE),
        ("0044 20 7946 0958", PHONE),
        ("+90 532 123 45 67", PHONE),
        # e-mail
        ("Mail sanne.devries@example.nl graag", f"Mail {EMAIL} graag"),
        ("o'brien+gemeente@mail.co.uk.", f"{EMAIL}."),
        # BSN: nine digits that pass the elfproef, in the usual spellings
        ("BSN 111222333", f"BSN {BSN}"),
        ("bsn: 1112.22.333", f"bsn: {BSN}"),
        ("111 222 333.", f"{BSN}."),
        ("123456782", BSN),
        # IBAN: checksum-valid, any country, with or without spaces, any case
        ("IBAN NL91ABNA0417164300.", f"IBAN {IBAN}."),
        ("NL91 ABNA 0417 1643 00 en verder", f"{IBAN} en verder"),
        ("nl91abna0417164300", IBAN),
        ("DE89 3704 0044 0532 0130 00", IBAN),
        ("BE68539007547034, FR1420041010050500013M02606", f"{IBAN}, {IBAN}"),
        ("GB29 NWBK 6016 1331 9268 19", IBAN),
        # postcodes with house numbers, addresses
        ("Ik woon op 1012 AB 12.", f"Ik woon op {ADDRESS}."),
        ("1012AB 12-3", ADDRESS),
        ("1012ab, nr 12a", ADDRESS),
        ("Damstraat 12, 1012 AB Amsterdam is het", f"{ADDRESS} is het"),
        ("De lantaarnpaal bij Kerkstraat 12a is kapot.", f"De lantaarnpaal bij {ADDRESS} is kapot."),
        ("Burgemeester de Vlugtlaan 125 hs", ADDRESS),
        ("Eerste Constantijn Huygensstraat 101-3", ADDRESS),
        # what must stay: dates, times, amounts, order and reference numbers, the city's number
        ("Afspraak op 06-12-2023 om 10:30.", "Afspraak op 06-12-2023 om 10:30."),
        ("op 12.03.2024 en 1-4-2025", "op 12.03.2024 en 1-4-2025"),
        ("kosten € 1.234,56 of 12.345.678 euro", "kosten € 1.234,56 of 12.345.678 euro"),
        ("ordernummer 123456789", "ordernummer 123456789"),  # fails the elfproef
        ("NL91ABNA0417164301", "NL91ABNA0417164301"),  # fails mod 97
        ("factuur 2023-001234, zaak Z-2024-123456", "factuur 2023-001234, zaak Z-2024-123456"),
        ("Bel 14 020 of kijk op amsterdam.nl", "Bel 14 020 of kijk op amsterdam.nl"),
        ("Ik heb 1000 km gereden in 2024", "Ik heb 1000 km gereden in 2024"),
        ("postcode 1012 AB, om 14:00", "postcode 1012 AB, om 14:00"),
        ("Lijn 12 en tram 2 bij de Dam", "Lijn 12 en tram 2 bij de Dam"),
    ],
)
def test_redacts_personal_data_and_leaves_the_rest(text, expected):
    assert redact(text) == expected


def test_redacts_the_contacts_known_names():
    text = "Hoi Sanne, wij hebben het doorgegeven. Groet ^EP. Cc: SANNE DE VRIES en @sannedv"
    assert redact(text, names=["Sanne de Vries", "@sannedv"]) == (
        f"Hoi {NAME}, wij hebben het doorgegeven. Groet ^EP. Cc: {NAME} en {NAME}"
    )


def test_name_parts_that_are_particles_or_lowercase_words_stay():
    assert redact("De bakker van de hoek", names=["Jan de Bakker"]) == "De bakker van de hoek"
    assert redact("Jan Bakker belde", names=["Jan Bakker"]) == f"{NAME} belde"


def test_checks():
    assert is_valid_bsn("111222333") and not is_valid_bsn("111222334") and not is_valid_bsn("000000000")
    assert is_valid_iban("NL91ABNA0417164300") and not is_valid_iban("NL91ABNA041716430")


# --- Generated ------------------------------------------------------------------------------------


@st.composite
def bsns(draw) -> str:
    digits = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
    last = total % 11
    if last == 10 or (last == 0 and not any(digits)):
        digits[0] = (digits[0] + 1) % 10  # 10 cannot be a digit: another number
        return draw(bsns())
    number = "".join(map(str, digits)) + str(last)
    spelling = draw(st.sampled_from(["{}", "{}.{}.{}", "{} {} {}"]))
    return spelling.format(*([number] if spelling == "{}" else [number[:4], number[4:6], number[6:]]))


@st.composite
def ibans(draw) -> str:
    country, length = draw(st.sampled_from([("NL", 18), ("BE", 16), ("DE", 22), ("FR", 27), ("GB", 22)]))
    alphabet = string.digits + (string.ascii_uppercase if country in ("NL", "GB") else "")
    if country in ("NL", "GB"):
        bank = draw(st.text(string.ascii_uppercase, min_size=4, max_size=4))
        rest = bank + draw(st.text(string.digits, min_size=length - 8, max_size=length - 8))
    else:
        rest = draw(st.text(alphabet, min_size=length - 4, max_size=length - 4))
    numeric = "".join(str(int(ch, 36)) for ch in rest + country + "00")
    check = 98 - int(numeric) % 97
    iban = f"{country}{check:02d}{rest}"
    if draw(st.booleans()):
        iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban.lower() if draw(st.booleans()) else iban


@st.composite
def phones(draw) -> str:
    kind = draw(st.sampled_from(["mobile", "landline", "international"]))
    if kind == "mobile":
        number = draw(st.text(string.digits, min_size=8, max_size=8))
        spelling = draw(
            st.sampled_from(["06{}", "06-{}", "06 {}", "+31 6 {}", "+316{}", "0031 6 {}", "+31 (0)6 {}"])
        )
        return spelling.format(number)
    if kind == "landline":
        area = draw(st.sampled_from(["20", "10", "70", "30", "413"]))
        number = draw(st.text(string.digits, min_size=9 - len(area), max_size=9 - len(area)))
        spelling = draw(st.sampled_from(["0{}-{}", "0{} {}", "({}) {}", "+31 {} {}"]))
        return spelling.format("0" + area if spelling.startswith("(") else area, number)
    country = draw(st.sampled_from(["32", "44", "49", "33", "90", "212", "1"]))
    number = draw(st.text(string.digits, min_size=8, max_size=10).filter(lambda n: n[0] != "0"))
    return f"+{country} {number}"


words = st.sampled_from(["hallo", "mijn", "nummer", "is", "graag", "bellen", "dank", "u", "wel", "NL", "06"])
separators = st.sampled_from([" ", ", ", ". ", ": ", " (", ") ", "\n"])


@given(
    st.one_of(bsns(), ibans(), phones()), st.lists(words, max_size=4), st.lists(words, max_size=4), separators
)
@settings(max_examples=300, deadline=None)
def test_a_generated_bsn_iban_or_phone_number_is_always_removed(secret, before, after, separator):
    text = " ".join(before) + separator + secret + separator + " ".join(after)
    redacted = redact(text)
    compact_secret = "".join(ch for ch in secret if ch.isalnum())
    compact_redacted = "".join(ch for ch in redacted if ch.isalnum())
    assert compact_secret[-7:] not in compact_redacted
    assert any(label in redacted for label in (PHONE, BSN, IBAN))


pieces = st.one_of(
    bsns(), ibans(), phones(), words, separators, st.just("sanne@example.nl"), st.just("1012 AB 12"),
    st.just("Kerkstraat 5"), st.text(max_size=12),
)  # fmt: skip


@given(st.lists(pieces, max_size=12))
@settings(max_examples=300, deadline=None)
def test_redacting_twice_changes_nothing(parts):
    once = redact("".join(parts), names=["Sanne de Vries"])
    assert redact(once, names=["Sanne de Vries"]) == once
