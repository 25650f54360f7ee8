"""Answers fitted to their thread: within the channel's limit, and private matters kept private."""

import pytest

from protocols.fitting import fit_answer

LINK = "https://www.voorbeeldstad.nl/grofvuil"
LONG = (
    "Grofvuil halen we gratis op, tot vier keer per jaar. "
    "Maak een afspraak via de website of bel 14 0123. "
    "Zet het grofvuil de avond voor de ophaaldag aan de straat, niet eerder. "
    "Wat niet past in de auto, zoals bouwafval en asbest, kunt u naar de milieustraat brengen. "
    "Daar kunt u zonder afspraak terecht van maandag tot en met zaterdag."
)


def fit(text=LONG, **options):
    defaults = {"channel": "x", "public": True, "public_space": True, "links": [LINK], "language": "nl"}
    return fit_answer(text, **{**defaults, **options})


def test_a_public_x_reply_keeps_whole_sentences_and_ends_with_the_link():
    fitted = fit()
    assert fitted.shortened and fitted.limit == 280
    assert len(fitted.text) <= 280
    assert fitted.text.startswith("Grofvuil halen we gratis op, tot vier keer per jaar.")
    assert fitted.text.endswith(f". {LINK}")


def test_an_answer_that_fits_is_left_alone():
    assert fit(channel="whatsapp", public=False) == type(fit())(LONG, shortened=False, limit=1600)


def test_a_link_already_in_the_kept_text_is_not_repeated():
    text = f"Maak een afspraak op {LINK} en zet het de avond ervoor buiten. " + "Meer uitleg. " * 30
    fitted = fit(text)
    assert fitted.text.count(LINK) == 1 and len(fitted.text) <= 280


def test_one_sentence_longer_than_the_limit_is_cut_at_a_word():
    fitted = fit("woord " * 100, links=[])
    assert len(fitted.text) <= 280 and fitted.text.endswith("woord…")


@pytest.mark.parametrize(
    ("language", "invitation"),
    [
        ("nl", "Stuur ons een privébericht"),
        ("en", "Send us a private message"),
        ("de", "Send us a private message"),  # no German catalogue: English
    ],
)
def test_a_personal_matter_in_public_invites_a_private_message(language, invitation):
    fitted = fit("U vraagt een paspoort aan op het stadhuis.", public_space=False, language=language)
    assert fitted.text.startswith("U vraagt een paspoort aan op het stadhuis. ")
    assert invitation in fitted.text


def test_a_public_space_report_in_public_gets_no_invitation():
    assert fit("Dank voor uw melding.", public_space=True).text == "Dank voor uw melding."


def test_a_private_thread_gets_no_invitation():
    fitted = fit("U vraagt een paspoort aan.", public=False, public_space=False)
    assert fitted.text == "U vraagt een paspoort aan."
