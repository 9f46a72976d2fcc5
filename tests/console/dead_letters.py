"""A receiver answering 400 gets an event dead-lettered; the console shows it in Dead letters;
the customer selects it and redelivers it (the receiver now answering 200), and the receiver
gets it."""

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
        sub = f"{topic}/eventSubscriptions/failing-hook"
        tenants.subscribe(topic, "failing-hook", receiver.url)
        receiver.status = 400
        tenants.publish("orders", [event("dl-1")])
        wait_until(
            lambda: tenants.customer.get(f"{sub}/deadLetters", expect=200)["value"],
            20,
            "the event to be dead-lettered",
        )

        s.sign_in(tenants.customer_key)
        page = s.page
        page.get_by_role("link", name=f"Event subscriptions of {topic_name}").click()
        page.get_by_role("link", name="failing-hook", exact=True).click()
        dead = page.get_by_role("region", name="Dead letters", exact=True)
        row = dead.get_by_role("row").filter(has_text="dl-1")
        expect(row).to_contain_text("UndeliverableDueToHttpBadRequest")
        expect(page.get_by_role("region", name="Delivery stats", exact=True).get_by_role("row", name="Dead-lettered").get_by_role("cell")).to_have_text("1")
        s.check_names()
        s.shot("dead-letters.png")

        receiver.status = 200
        row.get_by_role("checkbox", name="Select dl-1").check()
        dead.get_by_role("button", name="Redeliver selected", exact=True).click()
        expect(dead.get_by_role("status")).to_have_text("Redelivered 1")
        receiver.wait_for("dl-1")
        expect(page.get_by_role("region", name="Delivery stats", exact=True).get_by_role("row", name="Delivered").get_by_role("cell")).to_have_text("1", timeout=20_000)
        s.shot("dead-letters-redelivered.png")

        wait_until(
            lambda: not tenants.customer.get(f"{sub}/deadLetters", expect=200)["value"],
            10,
            "the dead letter to leave the list after its redelivery",
        )
    finally:
        receiver.close()


Scenario("dead_letters").run(steps)
