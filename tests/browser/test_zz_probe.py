# temporary probe, copied into tests/browser and removed afterwards
import json, pytest
from playwright.sync_api import expect
from tests import factories
from tests.browser.conftest import axe_violations, login
pytestmark = pytest.mark.browser

def dump(page, label):
    for v in axe_violations(page):
        print("AXE", label, v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5])
    print("AXE", label, "done")

def test_probe(new_page, live_server, eva, dirk, lotte):
    c = factories.conversation("De lantaarnpaal in de Van Woustraat is kapot")
    p = new_page(); p.goto(live_server.url + "/login/"); dump(p, "login")
    login(p, live_server, eva); dump(p, "queue")
    p.locator("#next-button").click(); dump(p, "conv")
    p.locator("#shortcuts-help > summary").click(); dump(p, "conv-details-open")
    p.locator("#reply-form button[type=submit]").click(); print("URL", p.url)
    p.locator("#reply-text").fill("x"*5000); p.locator("#reply-form button[type=submit]").click(); dump(p, "conv-error")
    q = new_page(); login(q, live_server, dirk); r = q.goto(live_server.url + "/inbox/"); print(r.status, q.content()[:300]); dump(q, "403")
    q2 = new_page(); login(q2, live_server, lotte); q2.goto(live_server.url + f"/inbox/conversations/{c.pk}/"); dump(q2, "lead-conv")
    q2.goto(live_server.url + "/inbox/routing/"); dump(q2, "routing")
    q2.goto(live_server.url + "/inbox/routing/new/"); dump(q2, "routing-new")
    q2.goto(live_server.url + f"/inbox/contacts/{c.contact_id}/"); dump(q2, "contact")
    # forced English & small viewport
    p.set_viewport_size({"width": 375, "height": 700}); p.goto(live_server.url + "/inbox/"); dump(p, "queue-mobile")
