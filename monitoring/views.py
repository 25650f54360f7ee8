"""The monitoring screens: the mentions feed, the listening queries with a live preview, spike alerts.

The desk (INBOX_ROLES) reads the feed and the listening queries and turns a mention into an inbox
conversation; leads (LEAD_ROLES) change listening queries and see the spike alerts. Turning a mention
into a conversation goes through monitoring.services; the filters are GET forms that htmx may submit
in place, and every page works without JavaScript.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inbox.models import Topic
from inbox.services import InboxError
from monitoring import query as queries
from monitoring import services
from monitoring.forms import CorrectionForm, FeedFilterForm, ListeningQueryForm
from monitoring.models import ListeningQuery, Mention, Sentiment, SpikeAlert
from webcare.roles import INBOX_ROLES, LEAD_ROLES, role_required

FEED_SIZE = 50
ALERT_LIST_SIZE = 50
CAUGHT_DAYS = 7  # the queries list counts what each query caught in this many days
# The preview reads the stored mentions of the last PREVIEW_DAYS, newest first, at most PREVIEW_SCAN of
# them: matching is Python over the texts, and a lead types faster than 5,000 posts take to read.
PREVIEW_DAYS = 30
PREVIEW_SCAN = 5_000
PREVIEW_SHOWN = 20


def _post_url(url: str) -> str:
    """The link to the post on its platform; only web addresses (a stored URL came from outside)."""
    return url if url.startswith(("https://", "http://")) else ""


def _back(request: HttpRequest, default: str) -> str:
    """Where a POST from a list returns to: the list as the user filtered it, or `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _fragment_wanted(request: HttpRequest) -> bool:
    """htmx asks for the part it swaps in; a history restore wants the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- The mentions feed -------------------------------------------------------------------------------


@role_required(INBOX_ROLES)
def feed(request: HttpRequest) -> HttpResponse:
    form = FeedFilterForm(request.GET)
    mentions = Mention.objects.none()
    if form.is_valid():
        mentions = form.apply(Mention.objects.all(), now=timezone.now())
    mentions = mentions.select_related("topic").order_by("-posted_at", "-id")
    page = Paginator(mentions, FEED_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for mention in page.object_list:
        mention.post_url = _post_url(mention.url)
    context = {
        "form": form,
        "page": page,
        "section": "feed",
        "sentiments": Sentiment.choices,
        "topics": Topic.objects.order_by("name"),
    }
    if _fragment_wanted(request):
        return render(request, "monitoring/_feed_results.html", {**context, "oob": True})
    return render(request, "monitoring/feed.html", context)


@require_POST
@role_required(INBOX_ROLES)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The mention becomes a public inbox conversation that this agent has; the agent goes there."""
    mention = get_object_or_404(Mention, pk=pk)
    try:
        conversation = services.to_conversation(agent=request.user, mention_id=mention.pk)
    except (services.MonitoringError, InboxError) as error:
        # InboxError: the agent's work-in-progress limit, or a colleague already has the thread.
        messages.error(request, str(error))
        return redirect(_back(request, reverse("monitoring:feed")))
    return redirect("inbox:conversation", pk=conversation.pk)


@require_POST
@role_required(INBOX_ROLES)
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """An agent corrects what enrichment made of a post; the feed and the counts use the correction."""
    mention = get_object_or_404(Mention, pk=pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("These labels are not valid."))
        return redirect(_back(request, reverse("monitoring:feed")))
    data = form.cleaned_data
    services.correct(
        agent=request.user,
        mention_id=mention.pk,
        sentiment=data["sentiment"],
        topic_slug=data["topic"].slug if data["topic"] else None,
        needs_answer=data["needs_answer"],
        relevant=data["relevant"],
    )
    messages.success(request, _("Labels corrected. Thank you: corrections make the enrichment better."))
    return redirect(_back(request, reverse("monitoring:feed")) + f"#mention-{mention.pk}")


# --- Listening queries -------------------------------------------------------------------------------


@role_required(INBOX_ROLES)
def query_list(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(days=CAUGHT_DAYS)
    listening = list(
        ListeningQuery.objects.select_related("topic").annotate(
            caught=Count("mentions", filter=Q(mentions__posted_at__gte=since))
        )
    )
    for item in listening:
        # Saved before a rule changed, or in the admin: the sources skip it; say so.
        try:
            queries.parse(item.expression)
            item.problem = ""
        except queries.QueryError as error:
            item.problem = str(error)
    return render(
        request,
        "monitoring/queries.html",
        {"queries": listening, "caught_days": CAUGHT_DAYS, "section": "queries"},
    )


@dataclass
class Preview:
    """What an expression would have caught among the stored mentions of the last PREVIEW_DAYS."""

    expression: str
    error: str = ""
    count: int = 0
    searched: int = 0
    capped: bool = False
    shown: list[Mention] = field(default_factory=list)


def _preview(expression: str, *, now: datetime) -> Preview | None:
    expression = expression.strip()
    if not expression:
        return None
    try:
        tree = queries.parse(expression)
    except queries.QueryError as error:
        return Preview(expression, error=str(error))
    recent = list(
        Mention.objects.filter(posted_at__gte=now - timedelta(days=PREVIEW_DAYS))
        .order_by("-posted_at", "-id")
        .values_list("pk", "text")[:PREVIEW_SCAN]
    )
    found = [pk for pk, text in recent if queries.matches(tree, queries.Text.of(text))]
    shown = list(
        Mention.objects.filter(pk__in=found[:PREVIEW_SHOWN])
        .select_related("topic")
        .order_by("-posted_at", "-id")
    )
    for mention in shown:
        mention.post_url = _post_url(mention.url)
    return Preview(
        expression,
        count=len(found),
        searched=len(recent),
        capped=len(recent) == PREVIEW_SCAN,
        shown=shown,
    )


def _preview_context(preview: Preview | None) -> dict:
    return {"preview": preview, "preview_days": PREVIEW_DAYS, "preview_shown": PREVIEW_SHOWN}


@role_required(LEAD_ROLES)
def query_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new or changed listening query. "Preview" (without JavaScript) shows what it would catch."""
    listening = get_object_or_404(ListeningQuery, pk=pk) if pk else None
    preview = None
    previewing = request.method == "POST" and "preview" in request.POST
    if request.method == "POST":
        form = ListeningQueryForm(request.POST, instance=listening)
        if previewing:
            form.is_valid()
            # A preview checks the query only: no "name is required" before the lead got there.
            for name in [name for name in form.errors if name != "expression"]:
                del form.errors[name]
            preview = _preview(request.POST.get("expression", ""), now=timezone.now())
        elif form.is_valid():
            saved = form.save(commit=False)
            if listening is None:
                saved.created_by = request.user
            saved.save()
            messages.success(request, _("Listening query “%(name)s” saved.") % {"name": saved.name})
            return redirect("monitoring:queries")
    else:
        form = ListeningQueryForm(instance=listening)
        if listening is not None:
            preview = _preview(listening.expression, now=timezone.now())
    return render(
        request,
        "monitoring/query_form.html",
        {
            "form": form,
            "listening": listening,
            "previewing": previewing,
            "section": "queries",
            **_preview_context(preview),
        },
    )


@role_required(LEAD_ROLES)
def query_preview(request: HttpRequest) -> HttpResponse:
    """What ?expression= would have caught: a fragment for htmx, a page of its own without it."""
    preview = _preview(request.GET.get("expression", ""), now=timezone.now())
    if _fragment_wanted(request):
        return render(request, "monitoring/_query_preview.html", {**_preview_context(preview), "oob": True})
    return render(
        request,
        "monitoring/query_preview.html",
        {"section": "queries", "expression": request.GET.get("expression", ""), **_preview_context(preview)},
    )


@require_POST
@role_required(LEAD_ROLES)
def query_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a query on or off: to the state posted (`is_active` 1 or 0), or the other one."""
    listening = get_object_or_404(ListeningQuery, pk=pk)
    wanted = request.POST.get("is_active")
    listening.is_active = (wanted == "1") if wanted in ("0", "1") else not listening.is_active
    listening.save(update_fields=["is_active"])
    if listening.is_active:
        text = _("Listening query “%(name)s” is on.")
    else:
        text = _("Listening query “%(name)s” is off.")
    messages.success(request, text % {"name": listening.name})
    return redirect("monitoring:queries")


# --- Spike alerts ------------------------------------------------------------------------------------


@role_required(LEAD_ROLES)
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = SpikeAlert.objects.select_related("topic", "seen_by").prefetch_related("examples")
    page = Paginator(alerts.order_by("-hour", "-id"), ALERT_LIST_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for alert in page.object_list:
        alert.hour_end = alert.hour + timedelta(hours=1)
        # As monitoring.alerts picks them: posts that need an answer first, then the newest.
        alert.shown_examples = sorted(
            alert.examples.all(), key=lambda m: (m.needs_answer, m.posted_at, m.pk), reverse=True
        )
        for mention in alert.shown_examples:
            mention.post_url = _post_url(mention.url)
    return render(request, "monitoring/alerts.html", {"page": page, "section": "alerts"})


@require_POST
@role_required(LEAD_ROLES)
def alert_seen(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an alert seen; the first lead who saw it stays on record."""
    alert = get_object_or_404(SpikeAlert, pk=pk)
    SpikeAlert.objects.filter(pk=alert.pk, seen_by__isnull=True).update(seen_by=request.user)
    return redirect(_back(request, reverse("monitoring:alerts")))
