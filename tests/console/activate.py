"""A customer signs in, sees the pending partner topic (NeverActivated) with its activation
message, presses Activate; the API then shows the topic Activated."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from playwright.sync_api import expect  # noqa: E402

from support import Scenario, Tenants, unique  # noqa: E402


def steps(s):
    tenants = Tenants(s.base, s.operator_key)
    topic_name = unique("orders")
    message = f"Activate to receive orders from {tenants.partner_name}"
    topic = tenants.channel("orders", topic_name, message=message)

    s.sign_in(tenants.customer_key)
    page = s.page
    expect(page.get_by_role("heading", name="Partner topics", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=topic_name)
    expect(row.get_by_text("NeverActivated", exact=True)).to_be_visible()
    expect(row.get_by_text(message, exact=True)).to_be_visible()
    expect(row).to_contain_text("left")
    s.check_names()
    s.shot("01-partner-topic-pending.png")

    # Each row's buttons name their topic; the visible text stays the contract's.
    activate = row.get_by_role("button", name=f"Activate {topic_name}", exact=True)
    expect(activate).to_have_text("Activate")
    activate.click()
    expect(row.get_by_text("Activated", exact=True)).to_be_visible(timeout=10_000)
    deactivate = row.get_by_role("button", name=f"Deactivate {topic_name}", exact=True)
    expect(deactivate).to_be_visible()
    expect(deactivate).to_have_text("Deactivate")
    s.shot("02-partner-topic-activated.png")

    state = tenants.customer.get(topic, expect=200)["properties"]["activationState"]
    assert state == "Activated", f"the API shows activationState {state}"


Scenario("activate").run(steps)
