"""An agent's day in a real browser: queue, Next, reply, close; shortcuts; two agents; roles."""

import re

from playwright.sync_api import Page, expect
from rest_framework.test import APIClient

from inbox import services
from inbox.models import Conversation, Direction, Message
from tests import factories
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST

LAMP = "De lantaarnpaal in de Van Woustraat is kapot"
CONVERSATION_URL = re.compile(r"/inbox/conversations/(\d+)/$")
QUEUE_URL = re.compile(r"/inbox/(\?.*)?$")


def blur(page: Page) -> None:
    """Put the focus back on <body>, where single-key shortcuts are meant to work."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    assert page.evaluate("document.activeElement === document.body")


def conversation_id(page: Page) -> int:
    return int(CONVERSATION_URL.search(page.url).group(1))


def test_agent_takes_next_replies_and_closes(page: Page, live_server, eva):
    conversation = factories.conversation(LAMP, sender_name="Sanne de Vries")
    assert conversation.team.slug == "webcare"  # WhatsApp routes to the webcare team

    login(page, live_server, eva)
    expect(page).to_have_url(QUEUE_URL)  # an agent's home is the queue
    expect(page.locator("#queue-rows")).to_contain_text("Sanne de Vries")
    expect(page.locator("#queue-rows")).to_contain_text(LAMP)
    assert_accessible(page)

    page.locator("#next-button").click()
    expect(page).to_have_url(CONVERSATION_URL)
    assert conversation_id(page) == conversation.pk
    expect(page.locator(".messages-list")).to_contain_text(LAMP)
    assert_accessible(page)

    reply = "Dank voor uw melding. We sturen vandaag iemand langs."
    counter = page.locator("#reply-counter [data-count]")
    expect(counter).to_have_text("0")
    page.locator("#reply-text").press_sequentially("Dank voor")  # typed key by key
    expect(counter).to_have_text("9")
    page.locator("#reply-text").fill(reply)
    expect(counter).to_have_text(str(len(reply)))
    assert_accessible(page)  # with a typed reply, the counter and hint in place

    page.locator("#reply-form button[type=submit]").click()
    expect(page).to_have_url(CONVERSATION_URL)
    expect(page.locator(".messages-list .msg-out")).to_contain_text(reply)
    expect(page.locator(".messages")).to_contain_text(re.compile(r"Reply sent|Antwoord verzonden"))

    page.locator("#close-form button[type=submit]").click()
    expect(page).to_have_url(QUEUE_URL)  # the close form sends the agent back to the queue
    expect(page.locator("#queue-rows")).not_to_contain_text("Sanne de Vries")

    conversation.refresh_from_db()
    assert conversation.status == "closed"
    outbound = Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND)
    assert [m.text for m in outbound] == [reply]
    assert outbound.get().author == eva


def test_single_key_shortcuts_and_turning_them_off(page: Page, live_server, eva):
    first = factories.conversation(LAMP, sender_name="Sanne de Vries")
    second = factories.conversation("Lantaarnpaal op het Rembrandtplein brandt niet", sender_name="Karim B.")
    login(page, live_server, eva)
    expect(page).to_have_url(QUEUE_URL)
    expect(page.locator("#queue-rows tbody tr")).to_have_count(2)

    # `n` on the queue claims the next conversation, exactly like the Next button.
    blur(page)
    page.keyboard.press("n")
    expect(page).to_have_url(CONVERSATION_URL)
    claimed = Conversation.objects.get(pk=conversation_id(page))
    assert claimed.pk in (first.pk, second.pk)
    assert claimed.assigned_to == eva

    # `r` on a conversation puts the focus in the reply box; typing there is not a shortcut.
    blur(page)
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("n")
    expect(page.locator("#reply-text")).to_have_value("n")
    expect(page).to_have_url(CONVERSATION_URL)

    # WCAG 2.1.4: the single-key shortcuts can be turned off ...
    page.locator("#shortcuts-help > summary").click()
    toggle = page.locator("#shortcuts-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_be_checked()
    toggle.uncheck()
    expect(toggle).not_to_be_checked()

    # ... and stay off on the next page, where `n` on the body then does nothing.
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator("#shortcuts-toggle")).not_to_be_checked()
    next_posts = []
    page.on("request", lambda request: "/inbox/next/" in request.url and next_posts.append(request))
    blur(page)
    page.keyboard.press("n")
    # Proving that nothing happens needs a short wait; a shortcut submits at once, well within it.
    page.wait_for_timeout(500)
    assert next_posts == []
    expect(page).to_have_url(QUEUE_URL)
    other = second if claimed.pk == first.pk else first
    other.refresh_from_db()
    assert other.assigned_to is None

    # Turning them on again brings `n` back (pull, don't pick: her own open conversation first).
    page.locator("#shortcuts-help > summary").click()
    page.locator("#shortcuts-toggle").check()
    blur(page)
    page.keyboard.press("n")
    expect(page).to_have_url(CONVERSATION_URL)
    assert conversation_id(page) == claimed.pk
    assert len(next_posts) == 1


def test_second_agent_sees_who_handles_it_and_cannot_reply(new_page, live_server, eva, bram):
    conversation = factories.conversation(LAMP)

    eva_page = new_page()
    login(eva_page, live_server, eva)
    eva_page.locator("#next-button").click()
    expect(eva_page).to_have_url(CONVERSATION_URL)
    assert conversation_id(eva_page) == conversation.pk
    expect(eva_page.locator("#reply-form")).to_be_visible()

    bram_page = new_page()
    login(bram_page, live_server, bram)
    bram_page.goto(eva_page.url)
    expect(bram_page.locator("#claim-notice")).to_be_visible()
    expect(bram_page.locator("#claim-notice")).to_contain_text("Eva")
    expect(bram_page.locator("#reply-form")).to_have_count(0)
    expect(bram_page.locator("#reply-text")).to_have_count(0)
    expect(bram_page.locator("#conversation-holder")).to_contain_text("Eva")
    assert_accessible(bram_page)

    # Around the screen, straight to the API: refused with 409 Conflict, nothing sent.
    api = APIClient()
    api.force_authenticate(bram)
    response = api.post(
        f"/api/v1/conversations/{conversation.pk}/reply/", {"text": "Ik neem het over."}, format="json"
    )
    assert response.status_code == 409, response.content
    assert not Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND).exists()
    conversation.refresh_from_db()
    assert conversation.assigned_to == eva


def test_login_page_is_accessible(page: Page, live_server):
    response = page.goto(f"{live_server.url}/login/")
    assert response.status == 200
    expect(page.locator("#id_username")).to_be_focused()
    assert_accessible(page)


def test_login_page_with_error_is_accessible(page: Page, live_server, eva):
    page.goto(f"{live_server.url}/login/")
    page.locator("[name=username]").fill("eva")
    page.locator("[name=password]").fill("wrong password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=alert]")).to_be_visible()
    assert_accessible(page)


def test_department_member_starts_in_their_queue_and_inbox_is_forbidden(page: Page, live_server, dirk):
    login(page, live_server, dirk)
    expect(page).to_have_url(f"{live_server.url}/department/")  # their own work, not the inbox
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#next-button")).to_have_count(0)  # no desk queue to pull from
    links = page.get_by_role("navigation").get_by_role("link")
    expect(links).to_have_count(3)  # their department's questions, protocols and figures; no inbox
    expect(links.nth(1)).to_have_text(re.compile("Protocol"))
    expect(links.nth(2)).to_have_text("Dashboard")
    assert_accessible(page)

    response = page.goto(f"{live_server.url}/inbox/")
    assert response.status == 403
    expect(page.locator("#queue-rows")).to_have_count(0)
    expect(page.locator("h1")).to_have_text(re.compile("Geen toegang|No access"))
    assert_accessible(page)


def test_lead_screens_are_accessible(page: Page, live_server, lotte, eva):
    found = factories.conversation("Er ligt grofvuil naast de container", channel="whatsapp")
    services.claim_conversation(agent=eva, conversation_id=found.pk)
    login(page, live_server, lotte)
    for path in (
        f"/inbox/conversations/{found.pk}/",
        f"/inbox/contacts/{found.contact_id}/",
        "/inbox/routing/",
        "/inbox/routing/new/",
        "/inbox/?team=social&status=closed",  # an empty queue
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)


def test_english_is_available(page: Page, live_server, eva):
    login(page, live_server, eva)
    expect(page.locator("h1")).to_have_text("Wachtrij")
    page.select_option("#language-select", "en")
    page.locator("#language-select ~ button").click()
    expect(page.locator("h1")).to_have_text("Queue")
    expect(page.locator("html")).to_have_attribute("lang", "en")
