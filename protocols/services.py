"""Everything that changes protocols. Each function is one transaction; callers check roles first."""

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from escalations.models import Department, Escalation
from escalations.workflow import Status as EscalationStatus
from inbox.models import Direction, Message, Topic
from protocols.models import MessageSuggestions, ProposalStatus, Protocol, ProtocolProposal, ProtocolVersion
from protocols.workflow import InvalidTransition, Status, check_transition
from webcare.lib.db import commit_without_waiting

REQUIRED_LANGUAGES = ("nl", "en")


class ProtocolError(Exception):
    """A change the protocols refuse; the message is for the editor."""


class VersionConflict(ProtocolError):
    """Someone saved a newer version since the editor started; `current` is its number."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(
            _(
                "Someone else saved a newer version (v%(number)s) while you were editing. Your text is "
                "kept below; compare with the current version and save again."
            )
            % {"number": current}
        )


@dataclass(frozen=True)
class ProtocolContent:
    """A protocol as departments deliver it (one item of the YAML format)."""

    key: str
    title: str
    department: str  # slug
    answers: dict[str, str]
    topic: str = ""  # slug
    public_space: bool = False
    questions: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    review_by: date | None = None


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def missing_languages(answers: dict[str, str]) -> list[str]:
    return [language for language in REQUIRED_LANGUAGES if not answers.get(language, "").strip()]


def _missing_message(missing: list[str]) -> str:
    return _("an answer is missing for: %(languages)s") % {"languages": ", ".join(missing)}


def problems(
    content: ProtocolContent, *, create_departments: bool = False, status: str | None = None
) -> list[str]:
    """What is wrong with a protocol's content, in words for the department that delivered it.

    A draft (`status` DRAFT) may still lack answers in required languages: a draft grown from an
    escalation starts with the department's Dutch answer only. set_status keeps such a protocol in
    draft until every required language has an answer.
    """
    found = []
    missing = missing_languages(content.answers)
    if missing and status != Status.DRAFT:
        found.append(_missing_message(missing))
    if not create_departments and not Department.objects.filter(slug=content.department).exists():
        found.append(_("unknown department '%(slug)s'") % {"slug": content.department})
    if content.topic and not Topic.objects.filter(slug=content.topic).exists():
        found.append(_("unknown topic '%(slug)s'") % {"slug": content.topic})
    return found


@transaction.atomic
def save_protocol(
    content: ProtocolContent,
    *,
    author=None,
    note: str = "",
    status: str = Status.DRAFT,
    create_departments: bool = False,
    expected_version: int | None = None,
) -> tuple[Protocol, bool]:
    """Store `content` as the protocol's new current version; (protocol, whether anything changed).

    Saving the same content again changes nothing, so re-importing a file is harmless. `status` is
    the status of a protocol that did not exist yet; an existing one keeps its own.

    `expected_version` is the number of the version the editor started from (0: a new protocol).
    Under the lock on the protocol row, a different current version raises VersionConflict instead
    of silently replacing a colleague's work. None (imports, accepted proposals) skips the check.
    """
    errors = problems(content, create_departments=create_departments)
    if errors:
        raise ProtocolError("; ".join(errors))
    department, _created = Department.objects.get_or_create(
        slug=content.department, defaults={"name": content.department.replace("-", " ").capitalize()}
    )
    topic = Topic.objects.filter(slug=content.topic).first() if content.topic else None
    protocol = (
        Protocol.objects.select_for_update(of=("self",))
        .filter(key=content.key)
        .select_related("current")
        .first()
    )
    _check_version(protocol, expected_version)
    if protocol and protocol.department_id == department.pk and _same(protocol.current, content, topic):
        return protocol, False
    if protocol is None:
        try:
            with transaction.atomic():  # two editors creating the same key at once: one wins
                protocol = Protocol.objects.create(key=content.key, department=department, status=status)
        except IntegrityError:
            raise ProtocolError(_("A protocol with this key already exists.")) from None
    protocol.department = department
    protocol.current = _new_version(protocol, content, topic, author=author, note=note)
    protocol.save()
    return protocol, True


def _check_version(protocol: Protocol | None, expected_version: int | None) -> None:
    """Refuse a change started from another version than the current one; the caller holds the lock."""
    if expected_version is None:
        return
    if expected_version == 0 and protocol is not None:
        raise ProtocolError(_("A protocol with this key already exists."))
    current = protocol.current.number if protocol is not None and protocol.current else 0
    if current != expected_version:
        raise VersionConflict(current)


def _same(version: ProtocolVersion | None, content: ProtocolContent, topic: Topic | None) -> bool:
    return version is not None and (
        version.title,
        version.topic_id,
        version.public_space,
        version.questions,
        version.answers,
        version.links,
        version.review_by,
    ) == (
        content.title,
        topic.pk if topic else None,
        content.public_space,
        list(content.questions),
        dict(content.answers),
        list(content.links),
        content.review_by,
    )


def _new_version(
    protocol: Protocol, content: ProtocolContent, topic, *, author, note: str
) -> ProtocolVersion:
    last = protocol.versions.aggregate(number=Max("number"))["number"] or 0
    return ProtocolVersion.objects.create(
        protocol=protocol,
        number=last + 1,
        title=content.title,
        topic=topic,
        public_space=content.public_space,
        questions=list(content.questions),
        answers=dict(content.answers),
        links=list(content.links),
        review_by=content.review_by,
        author=author,
        note=note[:300],
    )


def content_of(protocol: Protocol, version: ProtocolVersion | None = None) -> ProtocolContent:
    version = version or protocol.current
    return ProtocolContent(
        key=protocol.key,
        title=version.title,
        department=protocol.department.slug,
        answers=dict(version.answers),
        topic=version.topic.slug if version.topic else "",
        public_space=version.public_space,
        questions=list(version.questions),
        links=list(version.links),
        review_by=version.review_by,
    )


@transaction.atomic
def restore_version(*, protocol_id: int, number: int, author) -> ProtocolVersion:
    """Make an old version current again, as a new version: the history is never rewritten."""
    protocol = (
        Protocol.objects.select_for_update(of=("self",)).select_related("department").get(pk=protocol_id)
    )
    old = protocol.versions.select_related("topic").get(number=number)
    if protocol.current_id == old.pk:
        raise ProtocolError(_("This is already the current version."))
    protocol.current = _new_version(
        protocol,
        content_of(protocol, old),
        old.topic,
        author=author,
        note=_("restored version %(n)d") % {"n": number},
    )
    protocol.save(update_fields=["current"])
    return protocol.current


# Statuses in which a protocol is (about to be) given to residents: every required language first.
COMPLETE_STATUSES = (Status.IN_REVIEW, Status.PUBLISHED)


@transaction.atomic
def set_status(*, protocol_id: int, status: str, expected: str | None = None) -> Protocol:
    """Move the protocol along the workflow, under the lock on its row.

    `expected` is the status the caller decided on (a department may only send its drafts to
    review): when the protocol has moved on meanwhile, InvalidTransition. A protocol goes to review
    or publication only with an answer in every required language (ProtocolError otherwise).
    """
    protocol = Protocol.objects.select_for_update(of=("self",)).select_related("current").get(pk=protocol_id)
    if expected is not None and protocol.status != expected:
        raise InvalidTransition(
            _("This protocol is %(status)s by now; look again before you change it.")
            % {"status": Status(protocol.status).label}
        )
    if protocol.status != status:
        check_transition(protocol.status, status)
        missing = missing_languages(protocol.current.answers if protocol.current else {})
        if status in COMPLETE_STATUSES and missing:
            raise ProtocolError(_missing_message(missing))
        protocol.status = status
        protocol.save(update_fields=["status"])
    return protocol


@transaction.atomic
def import_protocols(
    items: list[ProtocolContent], *, create_departments: bool = False, status: str = Status.PUBLISHED
) -> ImportResult:
    """Save every item, or none: a file is imported whole. New protocols get `status`."""
    result = ImportResult()
    for content in items:
        existed = Protocol.objects.filter(key=content.key).exists()
        _protocol, changed = save_protocol(
            content, status=status, create_departments=create_departments, note=_("imported")
        )
        bucket = result.unchanged if not changed else result.changed if existed else result.created
        bucket.append(content.key)
    return result


def render_answer(
    answers: dict[str, str], language: str, *, first_name: str = "", values: dict[str, str] | None = None
) -> str:
    """The answer in the resident's language, with their name (and any other `values`, such as
    {department}) filled in. Without an answer in their language, someone who does not write Dutch
    gets English (expats read it far more often)."""
    fallbacks = (language, "nl") if language == "nl" else (language, "en", "nl")
    text = next((answers[lang] for lang in fallbacks if answers.get(lang)), next(iter(answers.values()), ""))
    for name, value in (values or {}).items():
        text = text.replace("{" + name + "}", value)
    if first_name:
        return text.replace("{first_name}", first_name)
    return text.replace(" {first_name}", "").replace("{first_name}", "")


def content_to_json(content: ProtocolContent) -> dict:
    data = asdict(content)
    data["review_by"] = content.review_by.isoformat() if content.review_by else None
    return data


def content_from_json(data: dict) -> ProtocolContent:
    review_by = data.get("review_by")
    return ProtocolContent(**{**data, "review_by": date.fromisoformat(review_by) if review_by else None})


@transaction.atomic
def propose(
    *, author, content: ProtocolContent, note: str = "", expected_version: int | None = None
) -> ProtocolProposal:
    """A department member proposes a change to one of their department's protocols, or a new one.

    The proposal records the protocol's current version as its base, so the editor who decides sees
    when the protocol has moved on since. `expected_version` works as in save_protocol: a proposal
    started from an older version is refused (VersionConflict), under the lock on the protocol row.
    """
    protocol = (
        Protocol.objects.select_for_update(of=("self",))
        .filter(key=content.key)
        .select_related("department", "current")
        .first()
    )
    department = (
        protocol.department if protocol else Department.objects.filter(slug=content.department).first()
    )
    if author.department_id is None or department is None or department.pk != author.department_id:
        raise ProtocolError(_("You can only propose changes to your own department's protocols."))
    if content.department != department.slug:
        raise ProtocolError(_("A proposal cannot move a protocol to another department."))
    errors = problems(content)
    if errors:
        raise ProtocolError("; ".join(errors))
    if protocol is not None:  # a new protocol's proposal has nothing to be out of date with
        _check_version(protocol, expected_version)
    return ProtocolProposal.objects.create(
        protocol=protocol,
        base_version=protocol.current if protocol else None,
        department=department,
        author=author,
        content=content_to_json(content),
        note=note[:500],
    )


@transaction.atomic
def accept_proposal(*, editor, proposal_id: int, status: str = Status.IN_REVIEW) -> Protocol:
    """The proposal becomes the protocol's new version (a new protocol starts `in review`)."""
    proposal = _open_proposal(proposal_id)
    author = proposal.author.display_name if proposal.author else ""
    protocol, _changed = save_protocol(
        content_from_json(proposal.content),
        author=editor,
        note=_("proposed by %(name)s") % {"name": author},
        status=status,
    )
    _decide(proposal, editor, ProposalStatus.ACCEPTED)
    proposal.protocol = protocol
    proposal.save(update_fields=["protocol"])
    return protocol


@transaction.atomic
def reject_proposal(*, editor, proposal_id: int, reason: str) -> ProtocolProposal:
    if not reason.strip():
        raise ProtocolError(_("Say why, so the department knows."))
    proposal = _open_proposal(proposal_id)
    _decide(proposal, editor, ProposalStatus.REJECTED, reason)
    return proposal


def _open_proposal(proposal_id: int) -> ProtocolProposal:
    proposal = (
        ProtocolProposal.objects.select_for_update(of=("self",)).select_related("author").get(pk=proposal_id)
    )
    if proposal.status != ProposalStatus.OPEN:
        raise ProtocolError(_("This proposal has already been decided."))
    return proposal


def _decide(proposal: ProtocolProposal, editor, status: str, note: str = "") -> None:
    proposal.status = status
    proposal.decided_by = editor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note[:500]
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


# --- Knowledge grows: a department's answer becomes a protocol -------------------------------------

KEY_LENGTH = 60  # leaves room for "-2", "-3", ... within the key's 100 characters
TITLE_LENGTH = 80


def _key_from(text: str, fallback: str) -> str:
    """A key in the protocols' format (lowercase words joined by hyphens) from a question."""
    words = re.sub(r"[-_\s]+", "-", slugify(text)).strip("-")
    if len(words) > KEY_LENGTH:  # cut at a word boundary where there is one
        cut = words[:KEY_LENGTH]
        words = (cut.rsplit("-", 1)[0] if "-" in cut else cut).strip("-")
    return words or fallback


def _free_key(base: str) -> str:
    # Lazy: protocols.forms imports this module. Its words are pages under /protocols/.
    from protocols.forms import RESERVED_KEYS

    taken = set(Protocol.objects.filter(key__startswith=base).values_list("key", flat=True)) | RESERVED_KEYS
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key


@transaction.atomic
def draft_from_escalation(*, author, escalation_id: int) -> Protocol:
    """A draft protocol from a department's answer, for the department to approve (to review).

    The draft belongs to the escalation's department; its example questions are the resident's
    messages the agent shared and the agent's question, its Dutch answer the department's answer.
    English may follow before the draft goes to review (set_status insists on it).

    Idempotent: an escalation that already led to a protocol returns that protocol. Takes the lock on
    the escalation's row, so that two clicks at once make one protocol. Refuses (ProtocolError) an
    escalation that is not answered yet.
    """
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("department", "conversation__topic")
        .get(pk=escalation_id)
    )
    existing = escalation.protocols.order_by("pk").first()
    if existing is not None:
        return existing
    if escalation.status not in (EscalationStatus.ANSWERED, EscalationStatus.CLOSED) or not (
        escalation.answer.strip()
    ):
        raise ProtocolError(_("Only an answered escalation can become a protocol."))
    shared = escalation.shared_messages.filter(direction=Direction.INBOUND).order_by("created_at", "id")
    questions = [text.strip() for text in shared.values_list("text", flat=True) if text.strip()]
    questions.append(escalation.question.strip())
    first_line = escalation.question.strip().splitlines()[0]
    topic = escalation.conversation.topic
    content = ProtocolContent(
        key=_free_key(_key_from(escalation.question, f"escalation-{escalation.pk}")),
        title=Truncator(first_line).chars(TITLE_LENGTH),
        department=escalation.department.slug,
        answers={"nl": escalation.answer.strip()},
        topic=topic.slug if topic else "",
        public_space=bool(topic and topic.public_space),
        questions=list(dict.fromkeys(questions)),
    )
    errors = problems(content, status=Status.DRAFT)
    if errors:
        raise ProtocolError("; ".join(errors))
    try:
        with transaction.atomic():  # an editor taking the same key at this moment: try again
            protocol = Protocol.objects.create(
                key=content.key,
                department=escalation.department,
                status=Status.DRAFT,
                from_escalation=escalation,
            )
    except IntegrityError:
        raise ProtocolError(_("A protocol with this key already exists.")) from None
    protocol.current = _new_version(
        protocol,
        content,
        topic,
        author=author,
        note=_("from the answer to escalation #%(number)d") % {"number": escalation.pk},
    )
    protocol.save(update_fields=["current"])
    return protocol


@transaction.atomic
def suggest_for_message(message_id: int) -> None:
    """Work out and keep the protocols that answer a resident's message (a worker, as it comes in)."""
    commit_without_waiting()  # owed through the outbox: lost, it is worked out again
    from protocols import suggest  # it renders answers with this module's functions

    text = Message.objects.filter(pk=message_id, direction=Direction.INBOUND).values_list("text", flat=True)
    if not text:
        return
    fingerprint, ranking = suggest.rank(text[0])
    MessageSuggestions.objects.update_or_create(
        message_id=message_id,
        defaults={"fingerprint": fingerprint, "ranking": ranking, "computed_at": timezone.now()},
    )
