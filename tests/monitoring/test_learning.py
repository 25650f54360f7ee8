"""The learned layer of the enrichment: it learns from the city's examples and from agents'
corrections, and the corrections can be exported as examples."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring import enrichment, learning, lexicon, services
from monitoring.models import Mention

pytestmark = pytest.mark.django_db

FAIR = [  # a fair in the park: the word lists see nothing in these, the examples call them neutral
    "De kermis staat dit weekend in het Westerpark",
    "Kermis op het Museumplein vanaf vrijdag",
    "Wie gaat er naar de kermis in Noord?",
    "De kermis bij de Sloterplas opent om 12 uur",
]
OTHERS = [
    ("Complimenten voor de snelle reparatie van de lantaarnpaal!", "positive"),
    ("Overal troep en gebroken glas op straat, echt smerig", "negative"),
    ("Heerlijk schoon park vandaag, dank aan de veegploeg", "positive"),
    ("De vuilnis is weer niet opgehaald, belachelijk", "negative"),
]


def example(number: int, text: str, sentiment: str) -> dict:
    return {
        "id": f"e{number}",
        "channel": "x",
        "text": text,
        "language": "nl",
        "sentiment": sentiment,
        "topic": None,
        "needs_answer": False,
        "relevant": True,
        "district": None,
    }


@pytest.fixture
def examples_file(settings, tmp_path):
    path = tmp_path / "examples.jsonl"
    posts = [example(n, text, "neutral") for n, text in enumerate(FAIR)]
    posts += [example(10 + n, text, sentiment) for n, (text, sentiment) in enumerate(OTHERS)]
    path.write_text("\n".join(json.dumps(post) for post in posts) + "\n", encoding="utf-8")
    settings.MONITORING_EXAMPLES_FILE = path
    return path


def heard(number: int, text: str, **fields) -> Mention:
    now = timezone.now()
    return Mention.objects.create(
        channel="x",
        external_id=str(number),
        text=text,
        author="buurtbewoner",
        posted_at=now,
        expires_at=now + timedelta(days=30),
        **fields,
    )


def test_agents_corrections_teach_the_enrichment_at_the_next_reading(examples_file, eva):
    text = "Weer kermis tot 2 uur 's nachts in het Westerpark"
    assert enrichment.analyze(text).sentiment == "neutral"  # like the examples about the fair

    complaints = [
        "Al een week kermis tot diep in de nacht, niemand slaapt meer",
        "Kermis tot 2 uur 's nachts in de straat, de kinderen liggen wakker",
        "Derde nacht op rij kermis tot 1 uur, dit is toch niet normaal",
        "Alweer kermis tot diep in de nacht bij de Sloterplas",
        "Kermis tot 3 uur 's nachts, hoe lang nog",
    ]
    for number, complaint in enumerate(complaints):
        mention = heard(number, complaint, sentiment="neutral")
        services.correct(
            agent=eva,
            mention_id=mention.pk,
            sentiment="negative",
            topic_slug="nuisance",
            needs_answer=True,
            relevant=True,
        )

    assert enrichment.analyze(text).sentiment == "negative"


def test_without_examples_the_word_lists_decide(settings, tmp_path):
    settings.MONITORING_EXAMPLES_FILE = tmp_path / "none.jsonl"
    readers = enrichment.current()
    assert readers.learned == {}
    text = "Top hoor, derde week geen vuilnis opgehaald in de Pijp 👏"
    reading = lexicon.read(text)
    assert enrichment.analyze(text, readers).sentiment == reading.sentiment == "negative"


def test_an_irrelevant_post_has_no_topic_and_needs_no_answer(examples_file):
    result = enrichment.analyze("Ajax wint in de Johan Cruijff ArenA, wanneer is de volgende thuiswedstrijd?")
    assert (result.relevant, result.topic, result.needs_answer) == (False, None, False)


def test_a_two_label_classifier_predicts_both_labels():
    found = [{"w:ja": 1.0}, {"w:ja": 1.0, "w:zeker": 1.0}, {"w:nee": 1.0}, {"w:nee": 1.0, "w:nooit": 1.0}]
    classifier = learning.fit(found, ["True", "True", "False", "False"])
    assert classifier.predict({"w:ja": 1.0}) == "True"
    assert classifier.predict({"w:nee": 1.0}) == "False"
    assert classifier.predict({"w:onbekend": 1.0}) in classifier.labels


def test_corrections_are_exported_as_examples_without_handles_or_links(examples_file, eva):
    mention = heard(
        1,
        "@buurman @gemeenteamsterdam al 3 weken kermis herrie https://t.co/abc123 bel 06-12345678",
        language="nl",
    )
    heard(2, "Niet gecorrigeerd", language="nl")
    services.correct(
        agent=eva,
        mention_id=mention.pk,
        sentiment="negative",
        topic_slug="nuisance",
        needs_answer=True,
        relevant=True,
    )

    out = StringIO()
    call_command("export_mention_labels", stdout=out)

    (line,) = out.getvalue().splitlines()
    assert json.loads(line) == {
        "id": f"m{mention.pk}",
        "channel": "x",
        "text": "@iemand @gemeenteamsterdam al 3 weken kermis herrie https://t.co/link bel 06-12345678",
        "language": "nl",
        "sentiment": "negative",
        "topic": "nuisance",
        "needs_answer": True,
        "relevant": True,
        "district": None,
    }
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    out = StringIO()
    call_command("export_mention_labels", "--since", tomorrow, stdout=out)
    assert out.getvalue() == ""
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("export_mention_labels", "--since", "gisteren")
