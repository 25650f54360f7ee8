"""A resident's rights in the browser: a lead opens the contact's privacy page, exports everything
(readable and JSON), sets and lifts a legal hold, records an erasure request, and looks at the
retention runs. Every screen on the way passes axe-core."""

import json
import re

from playwright.sync_api import Page, expect

from audit.models import Action, AuditEntry
from inbox import services as inbox
from privacy.models import ContactAnonymisation, ErasureRequest, LegalHold, RetentionRun
from tests import factories
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST


def test_lead_exports_a_contact_and_records_an_erasure_request(page: Page, live_server, lotte):
    message = factories.incoming(
        "De lamp voor Kerkstraat 12 is kapot, bel me op 06-12345678", sender_id="+31612345678"
    )
    contact = message.conversation.contact
    inbox.close_conversation(actor=lotte, conversation_id=message.conversation_id)
    RetentionRun.objects.create(seconds=2.3, counts={"contacts_anonymised": 3, "deliveries_deleted": 12})

    login(page, live_server, lotte, next_path=f"/inbox/contacts/{contact.pk}/")
    page.locator("#privacy-link a").click()
    expect(page).to_have_url(re.compile(rf"/privacy/contacts/{contact.pk}/$"))
    expect(page.locator("#anonymisation-state")).to_have_attribute("data-anonymised", "0")
    assert_accessible(page)

    # The readable export, in the user's language.
    page.locator("#export-page-link").click()
    expect(page.locator("h1")).to_contain_text("Alles wat de webcaredesk bewaart over Sanne de Vries")
    expect(page.locator(f"[data-message='{message.pk}']")).to_contain_text("06-12345678")
    assert_accessible(page)
    page.go_back()

    # The machine-readable export, as a download.
    with page.expect_download() as downloading:
        page.locator("#export-json-link").click()
    exported = json.loads(downloading.value.path().read_text())
    assert exported["identities"] == [{"channel": "whatsapp", "id": "+31612345678", "name": "Sanne de Vries"}]
    assert AuditEntry.objects.filter(action=Action.EXPORTED, object_id=str(contact.pk)).count() == 2

    # A legal hold stops the erasure request; lifting it carries the request out.
    page.locator("#id_reason").fill("Bezwaar Z-2025-0042")
    page.locator("#hold-submit").click()
    hold = LegalHold.objects.get()
    expect(page.locator(f"[data-hold='{hold.pk}']")).to_have_attribute("data-applies", "1")
    page.locator("#id_received_through").select_option("email")
    page.locator("#id_note").fill("Zaak 2025-17")
    page.locator("#erasure-submit").click()
    expect(page.locator(".messages")).to_contain_text("juridische bewaarplicht geldt (Bezwaar Z-2025-0042)")
    expect(page.locator("[data-erasure]")).to_have_attribute("data-state", "on_hold")
    assert_accessible(page)

    page.locator(f"#lift-hold-{hold.pk}").click()
    expect(page.locator("#anonymisation-state")).to_have_attribute("data-anonymised", "1")
    expect(page.locator("[data-erasure]")).to_have_attribute("data-state", "anonymised")
    expect(page.locator("h1")).to_contain_text("Geanonimiseerd")
    assert ErasureRequest.objects.get().note == "Zaak 2025-17"
    assert ContactAnonymisation.objects.get().contact == contact
    assert_accessible(page)

    page.locator("a", has_text="Bewaartermijnrondes").click()
    expect(page.locator("[data-count='contacts_anonymised']")).to_have_text("3")
    assert_accessible(page)
