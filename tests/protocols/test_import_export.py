"""Departments deliver protocols as YAML: imported whole or not at all, again without changes."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from escalations.models import Department
from protocols.models import Protocol
from protocols.services import ProtocolContent, content_of, save_protocol
from protocols.workflow import Status
from protocols.yaml_format import InvalidFile, dump, parse

pytestmark = pytest.mark.django_db

GOOD = """\
protocols:
  - key: grofvuil-ophalen
    title: Grofvuil laten ophalen
    topic: litter
    department: waste
    public_space: false
    questions:
      - Hoe laat ik grofvuil ophalen?
      - Can you pick up my old couch?
    answers:
      nl: "Hoi {first_name}, grofvuil halen we gratis op. Maak een afspraak op https://www.voorbeeldstad.nl/grofvuil."
      en: "Hi {first_name}, we collect bulky waste for free. Book at https://www.voorbeeldstad.nl/grofvuil."
    links:
      - https://www.voorbeeldstad.nl/grofvuil
    review_by: 2027-06-30
  - key: lantaarnpaal-kapot
    title: Lantaarnpaal kapot
    topic: lighting
    department: public-space
    public_space: true
    questions: [De lamp in mijn straat doet het niet]
    answers:
      nl: Dank voor je melding. We repareren de lamp binnen vijf werkdagen.
      en: Thanks for letting us know. We repair the light within five working days.
"""


@pytest.fixture
def departments(db):
    for slug in ("waste", "public-space"):
        Department.objects.get_or_create(slug=slug, defaults={"name": slug})


def write(tmp_path, text: str):
    path = tmp_path / "protocols.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_published_protocols_with_a_first_version(tmp_path, departments):
    call_command("import_protocols", write(tmp_path, GOOD))
    protocol = Protocol.objects.with_current().get(key="grofvuil-ophalen")
    assert protocol.status == Status.PUBLISHED
    assert protocol.current.number == 1
    assert protocol.current.topic.slug == "litter"
    assert protocol.current.review_by == date(2027, 6, 30)
    assert protocol.current.answers["en"].startswith("Hi {first_name}")
    assert Protocol.objects.count() == 2


def test_importing_the_same_file_twice_changes_nothing(tmp_path, departments):
    path = write(tmp_path, GOOD)
    call_command("import_protocols", path)
    call_command("import_protocols", path)
    assert all(p.versions.count() == 1 for p in Protocol.objects.all())


def test_a_changed_item_becomes_a_new_version(tmp_path, departments):
    call_command("import_protocols", write(tmp_path, GOOD))
    call_command("import_protocols", write(tmp_path, GOOD.replace("vijf werkdagen", "drie werkdagen")))
    protocol = Protocol.objects.get(key="lantaarnpaal-kapot")
    assert [v.number for v in protocol.versions.all()] == [2, 1]
    assert "drie werkdagen" in protocol.current.answers["nl"]
    assert Protocol.objects.get(key="grofvuil-ophalen").versions.count() == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("protocols: [\n  - key: a\n    title: [unclosed\n", "line"),
        ("- key: a\n", "line 1: the file must have a top-level key 'protocols:'"),
        (GOOD.replace("    title: Lantaarnpaal kapot\n", ""), "line 16: 'title' is missing"),
        (
            GOOD.replace("public_space: true", "public_space: misschien"),
            "line 16: 'public_space' must be true or false",
        ),
        (
            GOOD.replace("review_by: 2027-06-30", "review_by: volgend jaar"),
            "line 2: 'review_by' must be a date",
        ),
        (
            GOOD.replace("key: lantaarnpaal-kapot", "key: grofvuil-ophalen"),
            "line 16: key 'grofvuil-ophalen' is used twice (first on line 2)",
        ),
        (GOOD.replace("key: lantaarnpaal-kapot", "key: Lantaarnpaal Kapot"), "must be lowercase letters"),
        (
            GOOD.replace("    topic: lighting\n", "    topic: lighting\n    topic: roads\n"),
            "line 19: 'topic' appears twice (also on line 18)",
        ),
        (GOOD.replace("    links:\n", "    colour: blue\n    links:\n"), "line 2: unknown field 'colour'"),
    ],
    ids=[
        "bad-yaml",
        "no-protocols-key",
        "missing-title",
        "not-a-bool",
        "not-a-date",
        "duplicate-key",
        "bad-key",
        "twice-in-item",
        "unknown-field",
    ],
)
def test_an_invalid_file_is_refused_whole_with_line_precise_errors(tmp_path, departments, text, expected):
    with pytest.raises(CommandError) as refused:
        call_command("import_protocols", write(tmp_path, text))
    assert expected in str(refused.value)
    assert not Protocol.objects.exists()  # nothing half-imported


def test_an_unknown_department_is_an_error_unless_asked_to_create_it(tmp_path, departments):
    text = GOOD.replace("department: public-space", "department: sports")
    with pytest.raises(CommandError, match="line 16: onbekende afdeling 'sports'"):
        call_command("import_protocols", write(tmp_path, text))
    assert not Protocol.objects.exists()
    call_command("import_protocols", write(tmp_path, text), "--create-departments")
    assert Protocol.objects.get(key="lantaarnpaal-kapot").department.slug == "sports"


def test_an_answer_is_needed_in_dutch_and_english(tmp_path, departments):
    text = GOOD.replace(
        "      en: Thanks for letting us know. We repair the light within five working days.\n", ""
    )
    with pytest.raises(CommandError, match="line 16: er ontbreekt een antwoord voor: en"):
        call_command("import_protocols", write(tmp_path, text))


def test_export_writes_what_import_reads(tmp_path, departments):
    call_command("import_protocols", write(tmp_path, GOOD))
    exported = tmp_path / "export.yaml"
    call_command("export_protocols", exported)
    again = parse(exported.read_text(encoding="utf-8"))
    assert [content for _line, content in again] == [content_of(p) for p in Protocol.objects.with_current()]
    call_command("import_protocols", exported)
    assert all(p.versions.count() == 1 for p in Protocol.objects.all())


def test_dump_and_parse_round_trip_unicode_and_dates():
    content = ProtocolContent(
        key="café-test".replace("é", "e"),
        title="Café & terras",
        department="permits",
        answers={"nl": "Een terrasvergunning vraag je aan… 🙂", "en": "You apply for a terrace permit… 🙂"},
        review_by=date(2027, 1, 31),
    )
    ((line, parsed),) = parse(dump([content]))
    assert line == 2
    assert parsed == content


def test_parse_reports_every_problem_at_once():
    with pytest.raises(InvalidFile) as refused:
        parse("protocols:\n  - key: a\n  - title: b\n")
    assert len(refused.value.errors) >= 3


def test_saving_identical_content_makes_no_version(departments):
    content = ProtocolContent(key="k", title="T", department="waste", answers={"nl": "a", "en": "b"})
    _protocol, changed = save_protocol(content)
    assert changed
    _protocol, changed = save_protocol(content)
    assert not changed
