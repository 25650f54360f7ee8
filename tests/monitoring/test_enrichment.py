"""Enrichment: what monitoring makes of a post (figures on the labelled set: bench/monitoring.py)."""

import pytest

from monitoring.enrichment import analyze

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Top hoor, derde week geen vuilnis opgehaald in de Pijp 👏👏", "negative"),  # sarcasm
        (
            "Love how the bike lane on the Weesperstraat has been a lake for a week. Great value 🙃",
            "negative",
        ),
        ("Complimenten aan de veegploeg, alles weer schoon na de markt!", "positive"),
        ("De IJtunnel is vannacht dicht voor onderhoud, meldt de gemeente.", "neutral"),
        ("De lantaarnpaal in onze straat is al weken kapot, echt gevaarlijk", "negative"),
    ],
)
def test_sentiment_reads_sarcasm_as_the_complaint_it_is(text, sentiment):
    assert analyze(text).sentiment == sentiment


@pytest.mark.parametrize(
    ("text", "topic", "district"),
    [
        ("Container bij het Buikslotermeerplein is weer vol, zakken ernaast", "waste_collection", "Noord"),
        ("The street lamp on the Prinsengracht keeps flickering all week", "lighting", "Centrum"),
        ("Boom omgewaaid in de Baarsjes, overal takken op het gras", "greenery", "West"),
        ("Hoe vraag ik een parkeervergunning aan in Osdorp?", "parking", "Nieuw-West"),
    ],
)
def test_topic_and_district(text, topic, district):
    result = analyze(text)
    assert (result.topic, result.district, result.relevant) == (topic, district, True)


@pytest.mark.parametrize(
    "text",
    [
        "Wat een goal in de 89e minuut!! Ajax Amsterdam staat op z'n kop #ajax",
        "Flight to Amsterdam delayed again, stuck at the gate #schiphol",
        "New favourite: Amsterdam Reserve Gin with tonic 🍸",
        "Broadway night at the New Amsterdam Theatre, can't wait",
    ],
)
def test_other_uses_of_the_citys_name_are_not_about_the_municipality(text):
    result = analyze(text)
    assert (result.relevant, result.topic, result.needs_answer) == (False, None, False)


@pytest.mark.parametrize(
    ("text", "needs_answer"),
    [
        ("@gemeenteamsterdam wanneer wordt de glasbak op de Javastraat geleegd?", True),  # a question
        (
            "Stoeptegels liggen al maanden los in de Ten Katestraat, mijn moeder is gevallen",
            True,
        ),  # a complaint
        ("Gemeente Amsterdam plaatst dit jaar 4.000 nieuwe laadpalen.", False),  # news
        ("Mooi opgeknapt, het Vondelpark! Dank gemeente", False),  # praise
    ],
)
def test_needs_an_answer(text, needs_answer):
    assert analyze(text).needs_answer is needs_answer


def test_language():
    assert analyze("Why is the garbage truck in the Jordaan coming at 7am on a Sunday??").language == "en"
    assert analyze("Waarom komt de vuilniswagen om 7 uur op zondag?").language == "nl"
