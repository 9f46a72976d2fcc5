"""A partner signs in, creates a channel in the console into the customer's authorized
resource group and sees it NeverActivated; once the customer activates the topic (over HTTP),
the partner's page shows Activated; then the partner's `Send test event` reaches the
customer's receiver."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from playwright.sync_api import expect  # noqa: E402

from support import Receiver, Scenario, Tenants, unique, wait_until  # noqa: E402


def steps(s):
    tenants = Tenants(s.base, s.operator_key)
    topic_name = unique("invoices")
    # A partner destination channel listed first: it takes no events, so `Send test event`
    # must neither offer nor pick it.
    tenants.partner.put(
        f"{tenants.namespace}/channels/a-destination",
        {
            "properties": {
                "channelType": "PartnerDestination",
                "partnerDestinationInfo": {
                    "azureSubscriptionId": tenants.customer_sub,
                    "resourceGroupName": "customer-rg",
                    "name": unique("dest"),
                    "endpointType": "WebHook",
                    "properties": {"endpointUrl": "https://example.com/hook"},
                },
            }
        },
        expect=201,
    )
    message = f"Activate to receive invoices from {tenants.partner_name}"

    s.sign_in(tenants.partner_key)
    page = s.page
    page.get_by_role("link", name="Namespaces", exact=True).click()
    page.get_by_role("link", name=tenants.namespace_name, exact=True).click()
    expect(page.get_by_role("heading", name=f"Namespace {tenants.namespace_name}")).to_be_visible()
    expect(page.get_by_text("••••••").first).to_be_visible()

    page.get_by_label("Channel name", exact=True).fill("invoices")
    page.get_by_label("Customer subscription id", exact=True).fill(tenants.customer_sub)
    page.get_by_label("Customer resource group", exact=True).fill("customer-rg")
    page.get_by_label("Partner topic name", exact=True).fill(topic_name)
    page.get_by_label("Source", exact=True).fill("fabrikam/invoices")
    page.get_by_label("Message for activation", exact=True).fill(message)
    page.get_by_role("button", name="Create channel", exact=True).click()

    channels = page.get_by_role("region", name="Channels", exact=True)
    row = channels.get_by_role("row").filter(has_text="invoices").filter(has_text=topic_name)
    expect(row.get_by_text("NeverActivated", exact=True)).to_be_visible(timeout=10_000)
    s.check_names()
    s.shot("channel-pending.png")

    channel = tenants.partner.get(f"{tenants.namespace}/channels/invoices", expect=200)["properties"]
    assert channel["readinessState"] == "NeverActivated", channel
    topic = tenants.topic(topic_name)
    shown = tenants.customer.get(topic, expect=200)["properties"]
    assert shown["activationState"] == "NeverActivated" and shown["messageForActivation"] == message, shown

    tenants.customer.post(f"{topic}/activate", expect=200)
    page.get_by_role("button", name="Refresh Channels").click()
    expect(row.get_by_text("Activated", exact=True)).to_be_visible(timeout=10_000)
    s.shot("channel-activated.png")

    receiver = Receiver()
    try:
        tenants.subscribe(topic, "invoices-hook", receiver.url)
        send = page.get_by_role("form", name="Send test event")
        channel_select = send.get_by_label("Channel", exact=True)
        expect(channel_select).to_have_value("invoices")
        expect(channel_select.locator("option")).to_have_text(["invoices"])
        send.get_by_label("Event type", exact=True).fill("Invoice.Paid")
        send.get_by_role("button", name="Send test event", exact=True).click()
        expect(send.get_by_role("status")).to_contain_text("Sent event", timeout=10_000)
        wait_until(lambda: any(e.get("type") == "Invoice.Paid" for e in receiver.received), 20, "the test event to arrive")
        s.shot("channel-test-event.png")
    finally:
        receiver.close()


Scenario("partner_channel").run(steps)
