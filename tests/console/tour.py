"""A tour of the rest of the console: the operator creates a principal (its key shown once) and
verifies a partner; the customer sees the authorization and the gallery, changes the
configuration's maximum days (the authorization stays), creates a topic and reveals its key
(masked until then), sees a failed webhook handshake's answer, edits a subscription (its
advanced filter's values, commas included, come back unchanged), pauses and resumes it;
signing out forgets the key. Along the way: a hash naming another host is refused without a
request leaving the origin, a reload the server cannot answer keeps the key, focus moves to
the content on navigation and to `Confirm` on `Delete`."""

import os
import sys
import uuid
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from playwright.sync_api import expect  # noqa: E402

from support import Api, Receiver, Scenario, Tenants, rg, unique  # noqa: E402


def operator_part(s, tenants):
    page = s.page
    s.sign_in(s.operator_key)
    expect(page.get_by_role("heading", name="Principals", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Partner topics")).to_have_count(0)

    name, sub = unique("tailspin"), str(uuid.uuid4())
    page.get_by_label("Principal name", exact=True).fill(name)
    page.get_by_label("Subscription ids", exact=True).fill(sub)
    page.get_by_role("button", name="Create principal", exact=True).click()
    shown = page.get_by_role("region", name="New principal key")
    key = shown.locator("code").inner_text().strip()
    assert key.startswith("pek_"), key
    subs = Api(s.base, key).get("/subscriptions")["value"]
    assert [x["subscriptionId"] for x in subs] == [sub], subs
    s.check_names()
    s.shot("operator-principal-created.png")
    shown.get_by_role("button", name="Done").click()
    assert key not in page.content(), "the new key stayed on the page after Done"

    page.get_by_role("cell").first.wait_for()
    revoke = s.find_row(name, "principals").get_by_role("button", name=f"Revoke {name}", exact=True)
    expect(revoke).to_have_text("Revoke")
    s.find_row(name, "principals").get_by_role("button", name=f"Edit AWS accounts of {name}", exact=True).click()
    page.get_by_label(f"AWS accounts of {name}", exact=True).fill("123456789012")
    page.get_by_role("button", name="Save AWS accounts", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("123456789012")
    listed = Api(s.base, s.operator_key).get("/admin/principals?$top=1000")["value"]
    mine = [p for p in listed if p["name"] == name]
    assert mine and mine[0]["awsAccounts"] == ["123456789012"], mine

    page.get_by_role("link", name="Verified partners", exact=True).click()
    immutable = tenants.registration["properties"]["partnerRegistrationImmutableId"]
    page.get_by_label("Verified partner name", exact=True).fill(f"{tenants.partner_name}-verified")
    page.get_by_label("Registration immutable id", exact=True).fill(immutable)
    page.get_by_label("Organization name", exact=True).fill("Fabrikam Inc.")
    page.get_by_label("Display name", exact=True).fill(f"Fabrikam Orders {tenants.partner_name}")
    page.get_by_role("button", name="Save verified partner", exact=True).click()
    page.get_by_role("cell").first.wait_for()
    verified = s.find_row(f"{tenants.partner_name}-verified", "verified partners")
    expect(verified).to_contain_text(f"Fabrikam Orders {tenants.partner_name}")
    s.check_names()
    s.shot("operator-verified-partners.png")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key", exact=True)).to_be_visible()
    assert page.evaluate("() => window.sessionStorage.length") == 0, "Sign out left the key in sessionStorage"


def hostile_routes(s):
    """Hashes whose resource id is another host (or no Event Grid resource) show Not found,
    and no request leaves the console's origin (the key would go with it)."""
    page = s.page
    home = urlparse(s.base)
    elsewhere = []

    def seen(request):
        u = urlparse(request.url)
        if u.scheme in ("http", "https", "ws", "wss") and (u.scheme, u.netloc) != (home.scheme, home.netloc):
            elsewhere.append(request.url)

    page.on("request", seen)
    try:
        for hostile in (
            "#/namespace/%2F%2Fevil.example%2Fx",
            "#/subscription/%2F%5Cevil.example%2Fx",
            "#/events/%2F%2Fevil.example%2Fsubscriptions%2Fa%2FresourceGroups%2Fb%2Fproviders%2FMicrosoft.EventGrid%2Fx",
            "#/namespace/%2Fadmin%2Fprincipals",
        ):
            page.evaluate("(h) => { window.location.hash = h; }", hostile)
            expect(page.get_by_role("heading", name="Not found", level=1)).to_be_visible()
            expect(page.get_by_role("alert")).to_contain_text("NotFound")
            expect(page.locator("#main")).to_be_focused()
        page.wait_for_timeout(300)
    finally:
        page.remove_listener("request", seen)
    assert not elsewhere, f"the console called another origin: {elsewhere}"


def reload_keeps_key(s):
    """A reload the server cannot answer (503) keeps the key and offers `Try again`."""
    page = s.page
    failing = lambda url: urlparse(url).path == "/subscriptions"  # noqa: E731
    page.route(
        failing,
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body='{"error": {"code": "ServiceUnavailable", "message": "try again later"}}',
        ),
    )
    page.reload()
    expect(page.get_by_role("alert")).to_have_text("ServiceUnavailable: try again later")
    assert page.evaluate("() => window.sessionStorage.length") == 1, "a failed reload forgot the key"
    page.unroute(failing)
    page.get_by_role("button", name="Try again", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def customer_part(s, tenants):
    page = s.page
    s.sign_in(tenants.customer_key)
    expect(page.get_by_role("heading", name="Partner topics", level=1)).to_be_visible()
    reload_keeps_key(s)
    hostile_routes(s)
    page.get_by_role("link", name="Partner configuration", exact=True).click()
    expect(page.locator("#main")).to_be_focused()
    expect(page).to_have_title("Partner configuration · Partner Events")
    expect(page.get_by_role("row").filter(has_text=tenants.partner_name)).to_contain_text("left")

    # Changing the maximum days of an existing configuration keeps its authorized partners.
    page.get_by_label("Resource group", exact=True).fill("customer-rg")
    page.get_by_label("Maximum authorization days", exact=True).fill("20")
    page.get_by_role("button", name="Save configuration", exact=True).click()
    expect(page.get_by_role("region", name="Resource group customer-rg", exact=True)).to_contain_text("at most 20 days")
    auth = tenants.customer.get(tenants.config, expect=200)["properties"]["partnerAuthorization"]
    assert auth["defaultMaximumExpirationTimeInDays"] == 20, auth
    partners = [p["partnerName"] for p in auth["authorizedPartnersList"]]
    assert partners == [tenants.partner_name], f"saving the days changed the authorized partners: {partners}"
    expect(page.get_by_role("row").filter(has_text=tenants.partner_name)).to_contain_text("left")
    gallery = page.get_by_role("region", name="Verified partners", exact=True)
    expect(gallery.get_by_text(f"Fabrikam Orders {tenants.partner_name}", exact=True)).to_be_visible()
    s.check_names()
    s.shot("customer-configuration.png")

    page.get_by_role("link", name="Topics", exact=True).click()
    # The configuration page has a "Resource group" field too: fill only once Topics is shown.
    expect(page.get_by_role("heading", name="Topics", level=1)).to_be_visible()
    topic_name = unique("own")
    page.get_by_label("Resource group", exact=True).fill("customer-rg")
    page.get_by_label("Topic name", exact=True).fill(topic_name)
    page.get_by_role("button", name="Create topic", exact=True).click()
    row = page.get_by_role("row").filter(has_text=topic_name)
    expect(row).to_contain_text(f"/topics/{topic_name}/api/events")
    topic = f"{rg(tenants.customer_sub, 'customer-rg')}/topics/{topic_name}"
    keys = tenants.customer.post(f"{topic}/listKeys", expect=200)
    assert keys["key1"] not in page.content(), "a key was on the page before Reveal"
    row.get_by_role("button", name=f"Reveal Key 1 of {topic_name}").click()
    expect(row.get_by_text(keys["key1"], exact=True)).to_be_visible()
    s.check_names()
    s.shot("customer-topic-key-revealed.png")
    row.get_by_role("button", name=f"Hide Key 1 of {topic_name}").click()
    assert keys["key1"] not in page.content(), "the key stayed on the page after Hide"

    # Delete asks first: focus moves to Confirm, and Cancel brings it back to Delete.
    delete = row.get_by_role("button", name=f"Delete {topic_name}", exact=True)
    expect(delete).to_have_text("Delete")
    delete.focus()
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name=f"Confirm delete {topic_name}", exact=True)).to_be_focused()
    row.get_by_role("button", name=f"Cancel delete {topic_name}", exact=True).click()
    expect(delete).to_be_focused()

    # A webhook that fails the handshake: the API's answer is shown beside the button.
    row.get_by_role("link", name=f"Event subscriptions of {topic_name}").click()
    page.get_by_label("Subscription name", exact=True).fill("refused")
    page.get_by_label("Endpoint URL", exact=True).fill("http://127.0.0.1:9/nothing")
    page.get_by_role("button", name="Create subscription", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("WebhookValidationFailed", timeout=20_000)
    s.shot("subscription-handshake-failed.png")

    receiver = Receiver()
    try:
        tagged = {"operatorType": "StringIn", "key": "data.tag", "values": ["red, large", "blue"]}
        tenants.subscribe(topic, "own-hook", receiver.url, filter={"advancedFilters": [tagged]})
        # Long lists page: 51 subscriptions show as 50 and `Load more` (nextLink) adds the last.
        for i in range(50):
            tenants.subscribe(topic, f"bulk-{i:02d}", receiver.url)
        page.get_by_role("button", name="Refresh Event subscriptions").click()
        listed = page.get_by_role("region", name="Event subscriptions", exact=True).get_by_role("row")
        expect(listed).to_have_count(51)  # the header row and 50
        page.get_by_role("button", name="Load more event subscriptions").click()
        expect(listed).to_have_count(52)
        page.get_by_role("link", name="own-hook", exact=True).click()
        expect(page).to_have_title("Event subscription own-hook · Partner Events")
        expect(page.locator("#main")).to_be_focused()
        page.get_by_role("button", name="Pause", exact=True).click()
        expect(page.get_by_text("Paused", exact=True).first).to_be_visible()
        sub = f"{topic}/eventSubscriptions/own-hook"
        assert tenants.customer.get(sub)["properties"]["deliveryState"] == "Paused"
        page.get_by_role("button", name="Resume", exact=True).click()
        expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
        assert tenants.customer.get(sub)["properties"]["deliveryState"] == "Enabled"

        page.get_by_role("button", name="Edit", exact=True).click()
        expect(page.get_by_label("Values", exact=True)).to_have_value("red, large\nblue")
        page.get_by_label("Event types", exact=True).fill("Own.Changed, Own.Created")
        page.get_by_role("button", name="Save subscription", exact=True).click()
        expect(page.get_by_role("button", name="Edit", exact=True)).to_be_visible()
        saved = tenants.customer.get(sub)["properties"]["filter"]
        assert saved["includedEventTypes"] == ["Own.Changed", "Own.Created"], saved
        [advanced] = saved["advancedFilters"]
        assert (advanced["operatorType"], advanced["key"], advanced["values"]) == ("StringIn", "data.tag", ["red, large", "blue"]), advanced
        s.shot("subscription-edited.png")
        page.get_by_role("button", name="Edit", exact=True).click()
        page.get_by_role("button", name="Add advanced filter").click()
        page.get_by_role("group", name="Advanced filter 2").get_by_label("Operator", exact=True).select_option("NumberInRange")
        s.check_names()
        page.get_by_role("button", name="Close editor", exact=True).click()
    finally:
        receiver.close()

    page.get_by_role("link", name="Platform events", exact=True).click()
    page.get_by_role("link", name="Event subscriptions of platform-events").click()
    expect(page.get_by_role("heading", name="Event subscriptions of platform-events")).to_be_visible()


def steps(s):
    tenants = Tenants(s.base, s.operator_key)
    operator_part(s, tenants)
    customer_part(s, tenants)


Scenario("tour").run(steps)
