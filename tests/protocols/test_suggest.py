"""Suggestions: the right published protocol for how residents really write, or none."""

import pytest

from escalations.models import Department
from protocols import services
from protocols.services import ProtocolContent, save_protocol
from protocols.suggest import suggest
from protocols.workflow import Status

pytestmark = pytest.mark.django_db

PROTOCOLS = [
    ProtocolContent(
        key="grofvuil-ophalen",
        title="Grofvuil laten ophalen",
        department="waste",
        topic="litter",
        questions=[
            "Hoe laat ik grofvuil ophalen?",
            "Kan mijn oude bank worden opgehaald?",
            "Can you pick up my old sofa?",
        ],
        answers={
            "nl": "Hoi {first_name}, grofvuil halen we gratis op. Maak een afspraak op de website.",
            "en": "Hi {first_name}, we collect bulky waste for free. Book a pickup on the website.",
        },
    ),
    ProtocolContent(
        key="lantaarnpaal-kapot",
        title="Straatverlichting kapot melden",
        department="public-space",
        topic="lighting",
        questions=[
            "De lantaarnpaal in mijn straat is kapot",
            "Straatlamp doet het niet",
            "The street light is broken",
        ],
        answers={
            "nl": "Dank voor je melding van de kapotte lamp. We repareren hem binnen vijf werkdagen.",
            "en": "Thanks for reporting the broken street light. We repair it within five working days.",
        },
    ),
    ProtocolContent(
        key="paspoort-aanvragen",
        title="Paspoort of ID-kaart aanvragen",
        department="civil-affairs",
        topic="travel_documents",
        questions=[
            "Hoe vraag ik een nieuw paspoort aan?",
            "Mijn ID-kaart verloopt, wat moet ik doen?",
            "How do I renew my passport?",
        ],
        answers={
            "nl": "Een paspoort vraag je aan op het stadhuis. Maak eerst een afspraak.",
            "en": "You apply for a passport at city hall. Make an appointment first.",
        },
    ),
]


@pytest.fixture
def published(db):
    for slug in ("waste", "public-space", "civil-affairs"):
        Department.objects.get_or_create(slug=slug, defaults={"name": slug})
    for content in PROTOCOLS:
        protocol, _ = save_protocol(content, status=Status.PUBLISHED)
    return protocol


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wanneer wordt mijn grofvuil opgehaald? Ik heb een oude kast.", "grofvuil-ophalen"),
        ("wnr kunnen jullie ff mn oude bank ophalen", "grofvuil-ophalen"),  # informal WhatsApp Dutch
        ("grofvuul ophalen hoe doe ik dat", "grofvuil-ophalen"),  # a typo
        ("de lantaarn paal voor mijn deur brandt niet meer", "lantaarnpaal-kapot"),  # a split compound
        ("@GemeenteDemo straatverlichting Dorpsstraat al dagen uit #donker", "lantaarnpaal-kapot"),
        ("Hi, my passport expires next month, how can I get a new one?", "paspoort-aanvragen"),  # English
    ],
)
def test_the_right_protocol_comes_first(published, text, expected):
    assert suggest(text).results[0].key == expected


def test_the_answer_is_in_the_residents_language_with_their_name(published):
    english = suggest("Can you pick up my old sofa please?", first_name="James")
    assert english.language == "en"
    assert english.results[0].answer.startswith("Hi James, we collect bulky waste")
    dutch = suggest("Kunnen jullie mijn oude bank ophalen?")
    assert dutch.results[0].answer.startswith("Hoi, grofvuil halen we gratis op")


def test_nothing_fits_is_said_instead_of_noise(published):
    assert suggest("Wie wint er zaterdag, Ajax of Feyenoord?").results == []
    assert suggest("").results == []


def test_only_published_protocols_are_suggested(published):
    services.set_status(protocol_id=published.pk, status=Status.RETIRED)  # the passport protocol
    results = suggest("How do I renew my passport?").results
    assert "paspoort-aanvragen" not in [r.key for r in results]


def test_a_new_version_is_suggested_at_once(published):
    content = services.content_of(published)
    save_protocol(
        ProtocolContent(**{**content.__dict__, "answers": {"nl": "Nieuw antwoord.", "en": "New answer."}})
    )
    assert suggest("Hoe vraag ik een paspoort aan?").results[0].answer == "Nieuw antwoord."


def test_the_suggest_api(client, eva, published, dirk):
    client.force_login(eva)
    response = client.post(
        "/api/v1/protocols/suggest/",
        {"text": "de straatlamp is kapot", "channel": "x"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "nl"
    assert body["results"][0]["key"] == "lantaarnpaal-kapot"
    assert set(body["results"][0]) == {"key", "title", "score", "answer", "shortened"}
    assert body["personal_case"] is False
    assert [r["score"] for r in body["results"]] == sorted(
        (r["score"] for r in body["results"]), reverse=True
    )
    nothing = client.post(
        "/api/v1/protocols/suggest/", {"text": "Ajax Feyenoord"}, content_type="application/json"
    )
    assert nothing.json()["results"] == []
    assert client.post("/api/v1/protocols/suggest/", {}, content_type="application/json").status_code == 400
    client.force_login(dirk)
    assert (
        client.post("/api/v1/protocols/suggest/", {"text": "x"}, content_type="application/json").status_code
        == 403
    )


def test_a_reply_records_its_protocol_and_whether_it_was_edited(client, eva, published):
    from inbox.models import Message
    from tests.factories import conversation

    client.force_login(eva)
    talk = conversation("Kan mijn oude bank worden opgehaald?")
    suggested = suggest("Kan mijn oude bank worden opgehaald?").results[0]
    client.post(
        f"/inbox/conversations/{talk.pk}/reply/",
        {"text": suggested.answer, "protocol": suggested.key, "protocol_answer": suggested.answer},
    )
    as_is = Message.objects.get(direction="out")
    assert (as_is.protocol_key, as_is.protocol_edited) == ("grofvuil-ophalen", False)
    other = conversation("Straatlamp kapot")
    response = client.post(
        f"/api/v1/conversations/{other.pk}/reply/",
        {
            "text": "Dank! We komen morgen.",
            "protocol": "lantaarnpaal-kapot",
            "protocol_answer": "Dank voor je melding.",
        },
        content_type="application/json",
    )
    assert response.json()["protocol_edited"] is True
    assert response.json()["protocol_key"] == "lantaarnpaal-kapot"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("wnr kunnen jullie ff mn oude bank ophalen", "nl"),
        ("Can you pick up my old sofa please?", "en"),
        ("Wann wird mein Sperrmüll abgeholt? Ich habe ein altes Sofa.", "de"),
        ("Kiedy odbierają gabaryty? Mam starą kanapę.", "pl"),
        ("Eski kanepemi ne zaman alabilirsiniz?", "tr"),
        ("ok thx", "nl"),  # too short to tell: Dutch, the city's language
    ],
)
def test_the_residents_language_is_detected(published, text, language):
    assert suggest(text).language == language


def test_without_an_answer_in_their_language_a_resident_gets_english(published):
    german = suggest("Wann holen Sie mein altes Sofa ab? Ich möchte es loswerden.", first_name="Jonas")
    assert german.language == "de"
    assert german.results[0].answer.startswith("Hi Jonas, we collect bulky waste")


def test_a_message_about_ones_own_case_needs_a_clear_match(published):
    vague = suggest("2 weken geleden gemeld over de lamp, meldnummer 2026-118823, nog niks gehoord")
    assert vague.personal_case
    assert vague.results == []  # a status question: the department knows, no protocol does
    clear = suggest("De lantaarnpaal in mijn straat is kapot, dossier BB-2291")
    assert clear.personal_case
    assert clear.results[0].key == "lantaarnpaal-kapot"


@pytest.mark.parametrize(
    "text",
    ["dossier BB-2291", "klantnummer 12345", "mijn BSN is", "(ref 2026-120455)", "kenmerk: 884512"],
)
def test_case_references_are_recognised(text):
    from protocols.suggest import mentions_case

    assert mentions_case(text)


@pytest.mark.parametrize(
    "text", ["bel 06-12345678", "postcode 1234 AB", "de A12 is dicht", "melding van 12:00", "in 2026"]
)
def test_ordinary_numbers_are_not_case_references(text):
    from protocols.suggest import mentions_case

    assert not mentions_case(text)


def test_the_suggest_api_fits_answers_to_the_channel(client, eva, published):
    client.force_login(eva)
    public = client.post(
        "/api/v1/protocols/suggest/",
        {"text": "How do I renew my passport?", "channel": "x", "public": True},
        content_type="application/json",
    ).json()
    # A passport is the resident's own affair: in public, invite them to a private message.
    assert public["results"][0]["answer"].endswith("Send us a private message and we will help you there.")
    private = client.post(
        "/api/v1/protocols/suggest/",
        {"text": "How do I renew my passport?", "channel": "x"},
        content_type="application/json",
    ).json()
    answer = private["results"][0]["answer"]
    assert answer == "You apply for a passport at city hall. Make an appointment first."


def test_a_new_process_builds_its_index_from_kept_vectors_without_the_model(published, monkeypatch):
    """Embedding 1,000 protocols takes minutes: each text is embedded once, and kept."""
    import numpy as np

    from protocols import suggest as engine
    from protocols.models import Embedding

    first = engine._build(engine._fingerprint())
    assert Embedding.objects.filter(kind="query").count() == len(first.meaning)
    assert Embedding.objects.filter(kind="passage").count() == len(first.passages) == 3

    def no_model(*args):
        raise AssertionError("a kept vector was computed again")

    monkeypatch.setattr(engine._Embedder, "queries", no_model)
    monkeypatch.setattr(engine._Embedder, "passages", no_model)
    again = engine._build(engine._fingerprint())  # as in a new process
    assert np.array_equal(again.meaning, first.meaning) and np.array_equal(again.passages, first.passages)


def test_texts_are_embedded_a_batch_at_a_time_and_kept_in_order(monkeypatch):
    """The model's buffers grow with a batch's tokens: 250 texts at once peaked at 350 MB."""
    import numpy as np

    from protocols import suggest as engine

    batches = []

    def passages(texts):
        batches.append(len(texts))
        return np.array([[float(text.split()[-1]), 0.0] for text in texts], dtype=np.float32)

    monkeypatch.setattr(engine._Embedder, "passages", passages)
    texts = [f"protocol {n}" for n in range(2 * engine.EMBED_BATCH + 6)]
    vectors = engine._Embedder.kept("passage", texts)
    assert batches == [engine.EMBED_BATCH, engine.EMBED_BATCH, 6]
    assert list(vectors[:, 0]) == list(range(len(texts)))  # each text's own vector, in the texts' order
    assert list(engine._Embedder.kept("passage", texts[:3])[:, 0]) == [0.0, 1.0, 2.0]  # kept: no batch
    assert len(batches) == 3
