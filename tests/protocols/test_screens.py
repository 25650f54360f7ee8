"""The protocol screens: editors search, edit, restore and decide; departments propose; the desk reads."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalations.models import Department
from protocols import services
from protocols.models import ProposalStatus, Protocol, ProtocolProposal
from protocols.services import ProtocolContent, save_protocol
from protocols.workflow import Status

pytestmark = pytest.mark.django_db

ANSWERS = {
    "nl": "Hoi {first_name}, grofvuil halen we gratis op. Maak een afspraak op de website.",
    "en": "Hi {first_name}, we collect bulky waste for free. Book online.",
}


def make_protocol(
    key: str = "grofvuil-ophalen",
    *,
    title: str = "Grofvuil laten ophalen",
    department: str = "waste",
    topic: str = "litter",
    status: str = Status.PUBLISHED,
    answers: dict | None = None,
    questions: tuple[str, ...] = ("Hoe laat ik mijn oude bank ophalen?",),
    review_by: date | None = None,
    author=None,
) -> Protocol:
    Department.objects.get_or_create(slug=department, defaults={"name": department.capitalize()})
    content = ProtocolContent(
        key=key,
        title=title,
        department=department,
        topic=topic,
        answers=answers or ANSWERS,
        questions=list(questions),
        review_by=review_by,
    )
    return save_protocol(content, author=author, status=status)[0]


def form_data(protocol: Protocol | None = None, **changes) -> dict:
    """What the edit form posts, starting from the protocol's current content."""
    data = {
        "key": "nieuw-protocol",
        "title": "Nieuw protocol",
        "department": "waste",
        "topic": "",
        "questions": "",
        "answer_nl": "Hoi {first_name}, dit is het antwoord.",
        "answer_en": "Hi {first_name}, this is the answer.",
        "links": "",
        "review_by": "",
        "note": "",
    }
    if protocol is not None:
        version = protocol.current
        data.update(
            title=version.title,
            department=protocol.department.slug,
            topic=version.topic.slug if version.topic else "",
            questions="\n".join(version.questions),
            answer_nl=version.answers["nl"],
            answer_en=version.answers["en"],
            links="\n".join(version.links),
            review_by=version.review_by.isoformat() if version.review_by else "",
            based_on=version.number,
        )
        del data["key"]
    data.update(changes)
    return data


def listed_keys(response) -> list[str]:
    return [protocol.key for protocol in response.context["protocols"]]


# --- The list: search, filters, who sees what ------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["grofvuil-ophalen", "LATEN OPHALEN", "oude bank", "gratis op", "bulky waste"],
    ids=["key", "title", "question", "dutch answer", "english answer"],
)
def test_editors_find_a_protocol_by_key_title_question_or_answer(client, erik, query):
    make_protocol()
    make_protocol(
        "lantaarnpaal-kapot",
        title="Lantaarnpaal kapot",
        topic="lighting",
        answers={"nl": "We repareren de lamp.", "en": "We repair the light."},
        questions=(),
    )
    client.force_login(erik)
    response = client.get(reverse("protocols:list"), {"q": query})
    assert listed_keys(response) == ["grofvuil-ophalen"]
    assert response.context["total"] == 1


def test_editors_filter_by_department_topic_status_and_stale(client, erik):
    yesterday = timezone.localdate() - timedelta(days=1)
    make_protocol("grofvuil-ophalen", review_by=yesterday)
    make_protocol("container-vol", title="Container vol", topic="waste_collection", status=Status.DRAFT)
    make_protocol("parkeervergunning", title="Parkeervergunning", department="parking", topic="parking")
    make_protocol("oud-protocol", title="Oud", status=Status.RETIRED, review_by=yesterday)
    client.force_login(erik)
    url = reverse("protocols:list")

    assert len(listed_keys(client.get(url))) == 4
    assert sorted(listed_keys(client.get(url, {"department": "waste"}))) == [
        "container-vol",
        "grofvuil-ophalen",
        "oud-protocol",
    ]
    assert listed_keys(client.get(url, {"topic": "waste_collection"})) == ["container-vol"]
    assert listed_keys(client.get(url, {"status": "draft"})) == ["container-vol"]
    # A retired protocol is never stale: nobody needs to review an answer that is no longer given.
    stale = client.get(url, {"stale": "on"})
    assert listed_keys(stale) == ["grofvuil-ophalen"]
    assert stale.context["total"] == 1
    assert stale.context["stale_keys"] == {"grofvuil-ophalen"}
    assert b"badge-stale" in stale.content
    assert stale.context["stale_count"] == 1


def test_the_count_says_how_many_match(client, erik):
    make_protocol("een", title="Een")
    make_protocol("twee", title="Twee")
    client.force_login(erik)
    response = client.get(reverse("protocols:list"))
    count = re.search(rb'<p id="protocol-count">([^<]*)</p>', response.content).group(1)
    assert b"2" in count


def test_the_list_costs_the_same_queries_for_two_protocols_as_for_twenty(client, erik):
    client.force_login(erik)
    for number in range(2):
        make_protocol(f"protocol-{number}", title=f"Protocol {number}")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("protocols:list"))
    for number in range(2, 20):
        make_protocol(f"protocol-{number}", title=f"Protocol {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("protocols:list"))
    assert len(listed_keys(response)) == 20
    assert len(many) == len(few)


def test_an_invalid_filter_shows_an_error_and_no_rows(client, erik):
    make_protocol()
    client.force_login(erik)
    response = client.get(reverse("protocols:list"), {"department": "nonsense"})
    assert response.status_code == 200
    assert listed_keys(response) == []
    assert b'role="alert"' in response.content


def test_agents_see_only_published_protocols_and_cannot_filter_on_status(client, eva):
    make_protocol("grofvuil-ophalen")
    make_protocol("concept", title="Concept", status=Status.DRAFT)
    client.force_login(eva)
    response = client.get(reverse("protocols:list"))
    assert listed_keys(response) == ["grofvuil-ophalen"]
    assert "status" not in response.context["form"].fields
    assert not response.context["can_edit"]
    assert reverse("protocols:new").encode() not in response.content
    assert client.get(reverse("protocols:detail", args=["concept"])).status_code == 404
    assert client.get(reverse("protocols:detail", args=["grofvuil-ophalen"])).status_code == 200


def test_department_members_see_all_of_their_own_protocols_and_a_stale_notice(client, dirk):
    yesterday = timezone.localdate() - timedelta(days=1)
    make_protocol("grofvuil-ophalen", review_by=yesterday)
    make_protocol("container-vol", title="Container vol", status=Status.DRAFT)
    make_protocol("parkeervergunning", title="Parkeervergunning", department="parking", topic="parking")
    client.force_login(dirk)
    response = client.get(reverse("protocols:list"))
    assert sorted(listed_keys(response)) == ["container-vol", "grofvuil-ophalen"]
    assert "department" not in response.context["form"].fields
    assert response.context["stale_count"] == 1
    assert b'id="stale-notice"' in response.content
    assert client.get(reverse("protocols:detail", args=["container-vol"])).status_code == 200
    assert client.get(reverse("protocols:detail", args=["parkeervergunning"])).status_code == 404


def test_the_list_shows_title_key_department_topic_status_review_date_and_version(client, erik):
    make_protocol(review_by=date(2030, 6, 30))
    client.force_login(erik)
    html = client.get(reverse("protocols:list")).content.decode()
    for expected in ("Grofvuil laten ophalen", "grofvuil-ophalen", "Waste", "badge-published", "2030-06-30"):
        assert expected in html


# --- The detail page: the answer per channel ---------------------------------------------------


def test_the_answer_is_shown_with_the_residents_name_and_its_length_per_channel(client, eva):
    long_answer = "Hoi {first_name}, " + "a" * 300
    make_protocol(answers={"nl": long_answer, "en": "Hi {first_name}, short."})
    client.force_login(eva)
    response = client.get(reverse("protocols:detail", args=["grofvuil-ophalen"]))
    dutch, english = response.context["previews"]
    assert (dutch.language, english.language) == ("nl", "en")
    assert dutch.text == "Hoi Sanne, " + "a" * 300
    fits = {(fit.channel, fit.public): fit for fit in dutch.fits}
    x_public = fits[("x", True)]
    assert (x_public.limit, x_public.over) == (280, True)
    assert x_public.length == len(dutch.text) + len(" ^EP")  # the agent's initials count too
    assert not fits[("whatsapp", False)].over
    assert not fits[("x", False)].over
    assert not any(fit.over for fit in english.fits)
    html = response.content.decode()
    assert "Hoi Sanne, " in html
    assert "{first_name}" not in html.split('id="answers-heading"')[1].split("</section>")[0]
    assert x_public.over_message in html


def test_the_detail_shows_content_history_and_for_editors_the_status_buttons(client, erik):
    protocol = make_protocol(author=erik)
    services.save_protocol(
        ProtocolContent(**{**services.content_of(protocol).__dict__, "title": "Grofvuil"}),
        author=erik,
        note="Kortere titel",
    )
    client.force_login(erik)
    response = client.get(reverse("protocols:detail", args=[protocol.key]))
    html = response.content.decode()
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert "Kortere titel" in html
    assert "Hoe laat ik mijn oude bank ophalen?" in html
    assert [s.value for s in response.context["transitions"]] == ["in_review", "retired"]
    assert reverse("protocols:restore", args=[protocol.key, 1]) in html
    assert reverse("protocols:restore", args=[protocol.key, 2]) not in html  # the current one


def test_readers_get_no_editing_buttons(client, eva):
    protocol = make_protocol()
    client.force_login(eva)
    html = client.get(reverse("protocols:detail", args=[protocol.key])).content.decode()
    assert reverse("protocols:edit", args=[protocol.key]) not in html
    assert reverse("protocols:status", args=[protocol.key]) not in html
    assert reverse("protocols:propose", args=[protocol.key]) not in html


# --- Creating and editing ------------------------------------------------------------------------


def test_an_editor_creates_a_protocol_as_a_draft_with_a_first_version(client, erik, waste_department):
    client.force_login(erik)
    response = client.post(
        reverse("protocols:new"),
        form_data(
            topic="litter",
            questions="Waar kan ik een bank kwijt?\r\n\r\nHoe laat ik grofvuil ophalen?",
            links="https://www.voorbeeldstad.nl/grofvuil",
            review_by="2030-01-31",
            note="Eerste versie",
        ),
    )
    assert response.status_code == 302
    protocol = Protocol.objects.with_current().get(key="nieuw-protocol")
    assert response["Location"] == reverse("protocols:detail", args=["nieuw-protocol"])
    assert protocol.status == Status.DRAFT
    version = protocol.current
    assert (version.number, version.author, version.note) == (1, erik, "Eerste versie")
    assert version.questions == ["Waar kan ik een bank kwijt?", "Hoe laat ik grofvuil ophalen?"]
    assert version.links == ["https://www.voorbeeldstad.nl/grofvuil"]
    assert version.review_by == date(2030, 1, 31)
    assert version.topic.slug == "litter"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"key": "Niet Goed"}, "key"),
        ({"key": "proposals"}, "key"),
        ({"key": "grofvuil-ophalen"}, "key"),  # exists
        ({"answer_en": "  "}, "answer_en"),
        ({"links": "javascript:alert(1)"}, "links"),
        ({"department": "nonsense"}, "department"),
    ],
)
def test_a_new_protocol_with_a_mistake_is_not_saved(client, erik, change, field):
    make_protocol()
    client.force_login(erik)
    response = client.post(reverse("protocols:new"), form_data(**change))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Protocol.objects.count() == 1


def test_editing_makes_a_new_version_and_keeps_answers_in_other_languages(client, erik):
    protocol = make_protocol(answers={**ANSWERS, "tr": "Merhaba {first_name}."})
    client.force_login(erik)
    response = client.post(
        reverse("protocols:edit", args=[protocol.key]),
        form_data(protocol, answer_nl="Hoi {first_name}, bel 14 020.\r\nGroet.", note="Telefoonnummer"),
    )
    assert response.status_code == 302
    protocol.refresh_from_db()
    assert protocol.current.number == 2
    assert protocol.current.answers == {
        "nl": "Hoi {first_name}, bel 14 020.\nGroet.",
        "en": ANSWERS["en"],
        "tr": "Merhaba {first_name}.",
    }
    assert (protocol.current.author, protocol.current.note) == (erik, "Telefoonnummer")
    assert protocol.status == Status.PUBLISHED  # an edit keeps the status
    assert protocol.versions.get(number=1).answers["nl"] == ANSWERS["nl"]


def test_saving_without_a_change_makes_no_new_version(client, erik):
    protocol = make_protocol()
    client.force_login(erik)
    response = client.post(reverse("protocols:edit", args=[protocol.key]), form_data(protocol))
    assert response.status_code == 302
    assert protocol.versions.count() == 1


def test_an_edit_started_before_a_colleagues_save_is_refused(client, erik):
    protocol = make_protocol()
    stale_form = form_data(protocol, title="Mijn titel")
    services.save_protocol(
        ProtocolContent(**{**services.content_of(protocol).__dict__, "title": "Titel van een collega"})
    )
    client.force_login(erik)
    response = client.post(reverse("protocols:edit", args=[protocol.key]), stale_form)
    assert response.status_code == 409
    assert "(v2)" in str(response.context["form"].non_field_errors())
    assert response.context["form"]["title"].value() == "Mijn titel"  # their text is kept
    protocol.refresh_from_db()
    assert protocol.current.title == "Titel van een collega"


def test_the_edit_form_starts_with_the_current_content_and_its_preview(client, erik):
    protocol = make_protocol()
    client.force_login(erik)
    response = client.get(reverse("protocols:edit", args=[protocol.key]))
    html = response.content.decode()
    assert response.context["form"]["answer_nl"].value() == ANSWERS["nl"]
    assert response.context["previews"]["nl"].text == ANSWERS["nl"].replace("{first_name}", "Sanne")
    assert 'data-preview="preview-nl"' in html
    assert 'id="preview-nl"' in html
    assert 'data-limit="280"' in html
    assert "js/protocols.js" in html


def test_preview_without_saving_renders_the_typed_answer(client, erik):
    protocol = make_protocol()
    client.force_login(erik)
    response = client.post(
        reverse("protocols:edit", args=[protocol.key]),
        form_data(protocol, answer_nl="Dag {first_name}! " + "b" * 280, preview="1"),
    )
    assert response.status_code == 200
    preview = response.context["previews"]["nl"]
    assert preview.text.startswith("Dag Sanne! ")
    assert [(fit.channel, fit.public) for fit in preview.fits if fit.over] == [("x", True)]
    assert protocol.versions.count() == 1


# --- Restore and status ---------------------------------------------------------------------------


def test_restoring_version_one_makes_it_current_as_a_new_version(client, erik):
    protocol = make_protocol()
    services.save_protocol(ProtocolContent(**{**services.content_of(protocol).__dict__, "title": "Fout"}))
    client.force_login(erik)
    response = client.post(reverse("protocols:restore", args=[protocol.key, 1]))
    assert response.status_code == 302
    protocol.refresh_from_db()
    assert (protocol.current.number, protocol.current.title) == (3, "Grofvuil laten ophalen")
    assert protocol.current.author == erik


def test_restoring_the_current_or_a_missing_version(client, erik):
    protocol = make_protocol()
    client.force_login(erik)
    response = client.post(reverse("protocols:restore", args=[protocol.key, 1]), follow=True)
    assert protocol.versions.count() == 1
    assert any(message.level_tag == "error" for message in response.context["messages"])
    assert client.post(reverse("protocols:restore", args=[protocol.key, 9])).status_code == 404


def test_an_editor_changes_the_status_along_the_workflow(client, erik):
    protocol = make_protocol(status=Status.DRAFT)
    client.force_login(erik)
    url = reverse("protocols:status", args=[protocol.key])
    assert client.post(url, {"status": "published"}).status_code == 302
    protocol.refresh_from_db()
    assert protocol.status == Status.PUBLISHED
    client.post(url, {"status": "retired"})
    response = client.post(url, {"status": "in_review"}, follow=True)  # retired cannot go to review
    protocol.refresh_from_db()
    assert protocol.status == Status.RETIRED
    assert any(message.level_tag == "error" for message in response.context["messages"])
    client.post(url, {"status": "nonsense"})
    protocol.refresh_from_db()
    assert protocol.status == Status.RETIRED


# --- Proposals -----------------------------------------------------------------------------------


def test_a_department_proposes_a_change_and_an_editor_accepts_it(client, dirk, erik):
    protocol = make_protocol()
    client.force_login(dirk)
    url = reverse("protocols:propose", args=[protocol.key])
    assert client.get(url).status_code == 200
    response = client.post(
        url, form_data(protocol, answer_nl="Hoi {first_name}, bel ons.", note="Nieuwe werkwijze")
    )
    assert response.status_code == 302
    proposal = ProtocolProposal.objects.get()
    assert (proposal.author, proposal.note, proposal.protocol) == (dirk, "Nieuwe werkwijze", protocol)
    protocol.refresh_from_db()
    assert protocol.current.number == 1  # nothing changes until an editor accepts

    client.force_login(erik)
    page = client.get(reverse("protocols:proposals"))
    [(shown, changes, _form)] = page.context["rows"]
    assert shown == proposal
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("answer_nl", ANSWERS["nl"], "Hoi {first_name}, bel ons.")
    ]
    assert b"Nieuwe werkwijze" in page.content
    response = client.post(reverse("protocols:accept", args=[proposal.pk]))
    assert response["Location"] == reverse("protocols:detail", args=[protocol.key])
    protocol.refresh_from_db()
    assert protocol.current.number == 2
    assert protocol.current.answers["nl"] == "Hoi {first_name}, bel ons."
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED


def test_a_department_proposes_a_new_protocol_and_reads_why_it_was_rejected(client, dirk, erik):
    client.force_login(dirk)
    assert client.get(reverse("protocols:propose_new")).status_code == 200
    response = client.post(reverse("protocols:propose_new"), form_data(key="afvalpas-kwijt"))
    assert response["Location"] == reverse("protocols:proposals")
    proposal = ProtocolProposal.objects.get()
    assert proposal.protocol is None
    assert not Protocol.objects.exists()

    client.force_login(erik)
    [(_shown, changes, _form)] = client.get(reverse("protocols:proposals")).context["rows"]
    assert ("title", "", "Nieuw protocol") in [(c.field, c.old, c.new) for c in changes]
    reject = reverse("protocols:reject", args=[proposal.pk])
    response = client.post(reject, {"reason": "  "})
    assert response.status_code == 400
    assert response.context["rows"][0][2].errors["reason"]
    client.post(reject, {"reason": "Staat al in grofvuil-ophalen."})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.REJECTED, erik)

    client.force_login(dirk)
    page = client.get(reverse("protocols:proposals"))
    assert b"Staat al in grofvuil-ophalen." in page.content
    assert reverse("protocols:accept", args=[proposal.pk]).encode() not in page.content


def test_a_department_cannot_propose_for_another_departments_protocol(client, dirk):
    foreign = make_protocol("parkeervergunning", title="Parkeren", department="parking", topic="parking")
    client.force_login(dirk)
    assert client.get(reverse("protocols:propose", args=[foreign.key])).status_code == 403
    assert (
        client.post(reverse("protocols:propose", args=[foreign.key]), form_data(foreign)).status_code == 403
    )
    # Nor start one in another department's name: the form offers only their own.
    response = client.post(reverse("protocols:propose_new"), form_data(department="parking"))
    assert response.status_code == 400
    assert "department" in response.context["form"].errors
    assert not ProtocolProposal.objects.exists()


def test_editors_who_open_a_propose_link_are_sent_to_the_editor(client, erik):
    protocol = make_protocol()
    client.force_login(erik)
    response = client.get(reverse("protocols:propose", args=[protocol.key]))
    assert response["Location"] == reverse("protocols:edit", args=[protocol.key])


def test_a_decided_proposal_cannot_be_decided_again(client, dirk, erik):
    protocol = make_protocol()
    proposal = services.propose(author=dirk, content=services.content_of(protocol))
    services.reject_proposal(editor=erik, proposal_id=proposal.pk, reason="Nee.")
    client.force_login(erik)
    response = client.post(reverse("protocols:accept", args=[proposal.pk]), follow=True)
    assert any(message.level_tag == "error" for message in response.context["messages"])
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED


# --- Who may do what (the rows in tests/test_permissions.py cover every URL and role) --------------


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("eva", True), ("lotte", True), ("dirk", True), ("erik", True), ("ada", True), ("anna", False)],
    indirect=["persona"],
)
def test_the_navigation_offers_protocols_to_those_who_may_read_them(client, persona, shown):
    client.force_login(persona)
    response = client.get(reverse("home"), follow=True)
    assert (reverse("protocols:list").encode() in response.content) is shown


@pytest.mark.parametrize(
    "name", ["protocols:list", "protocols:new", "protocols:proposals", "protocols:propose_new"]
)
def test_account_managers_are_not_in_this_flow(client, anna, name):
    client.force_login(anna)
    assert client.get(reverse(name)).status_code == 403


def test_agents_and_department_members_cannot_edit(client, eva, dirk):
    protocol = make_protocol()
    for person in (eva, dirk):
        client.force_login(person)
        assert client.get(reverse("protocols:edit", args=[protocol.key])).status_code == 403
        assert (
            client.post(reverse("protocols:status", args=[protocol.key]), {"status": "retired"}).status_code
            == 403
        )
        assert client.post(reverse("protocols:restore", args=[protocol.key, 1])).status_code == 403
    client.force_login(eva)
    assert client.get(reverse("protocols:propose", args=[protocol.key])).status_code == 403
    protocol.refresh_from_db()
    assert protocol.status == Status.PUBLISHED
