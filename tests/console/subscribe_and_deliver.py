"""On an activated partner topic the customer creates a webhook event subscription in the
console form; an event published next reaches the receiver, and the Delivered count on
screen rises to 1."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from playwright.sync_api import expect  # noqa: E402

from support import Receiver, Scenario, Tenants, event, unique, wait_until  # noqa: E402


def steps(s):
    tenants = Tenants(s.base, s.operator_key)
    topic_name = unique("orders")
    topic = tenants.activated_topic("orders", topic_name)
    receiver = Receiver()
    try:
        s.sign_in(tenants.customer_key)
        page = s.page
        page.get_by_role("link", name=f"Event subscriptions of {topic_name}").click()
        expect(page.get_by_role("heading", name=f"Event subscriptions of {topic_name}")).to_be_visible()
        page.get_by_label("Subscription name", exact=True).fill("orders-hook")
        page.get_by_label("Endpoint URL", exact=True).fill(receiver.url + "?code=s3cret")
        page.get_by_label("Event types", exact=True).fill("Order.Created")
        page.get_by_role("button", name="Add advanced filter").click()
        page.get_by_label("Key", exact=True).fill("data.order")
        page.get_by_label("Operator", exact=True).select_option("NumberGreaterThan")
        page.get_by_label("Value", exact=True).fill("10")
        page.get_by_label("Max delivery attempts", exact=True).fill("5")
        s.shot("subscription-form.png")
        page.get_by_role("button", name="Create subscription", exact=True).click()
        expect(page.get_by_role("heading", name="Event subscription orders-hook")).to_be_visible(timeout=20_000)

        created = tenants.customer.get(f"{topic}/eventSubscriptions/orders-hook", expect=200)["properties"]
        assert created["filter"]["includedEventTypes"] == ["Order.Created"], created["filter"]
        [advanced] = created["filter"]["advancedFilters"]
        assert (advanced["operatorType"], advanced["key"], advanced["value"]) == ("NumberGreaterThan", "data.order", 10), advanced
        assert created["retryPolicy"]["maxDeliveryAttempts"] == 5, created["retryPolicy"]
        assert "s3cret" not in page.content(), "the endpoint URL's query was written to the page"
        delivered = page.get_by_role("region", name="Delivery stats", exact=True).get_by_role("row", name="Delivered").get_by_role("cell")
        expect(delivered).to_have_text("0", timeout=10_000)

        tenants.publish("orders", [event("e-1", data={"order": 42})])
        receiver.wait_for("e-1")
        expect(delivered).to_have_text("1", timeout=20_000)
        s.check_names()
        s.shot("subscription-delivered.png")

        stats = wait_until(
            lambda: (lambda st: st if st["deliveredEvents"] == 1 else None)(
                tenants.customer.get(f"{topic}/eventSubscriptions/orders-hook/deliveryStats", expect=200)
            ),
            10,
            "deliveryStats to show 1 delivered",
        )
        assert stats["deliveredEvents"] == 1, stats
    finally:
        receiver.close()


Scenario("subscribe_and_deliver").run(steps)
