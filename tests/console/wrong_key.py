"""Signing in with a wrong key shows the API's code and message, and nothing else: no
console, no key kept."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from playwright.sync_api import expect  # noqa: E402

from support import Api, Scenario  # noqa: E402


def steps(s):
    wrong = "pek_" + "A" * 43
    status, body = Api(s.base, wrong).call("GET", "/subscriptions")
    assert status == 401, f"GET /subscriptions with a wrong key answered {status}"
    code, message = body["error"]["code"], body["error"]["message"]
    assert code == "AuthenticationFailed", f"the API's code is {code}"

    # From the keyboard only: the key field is the first stop, Enter signs in.
    page = s.page
    page.goto(f"{s.base}/console/")
    page.keyboard.press("Tab")
    expect(page.get_by_label("API key", exact=True)).to_be_focused()
    page.keyboard.type(wrong)
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(f"{code}: {message}")
    s.shot("wrong-key.png")

    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.get_by_label("API key", exact=True)).to_be_visible()
    kept = page.evaluate("() => [window.sessionStorage.length, window.localStorage.length, document.cookie]")
    assert kept == [0, 0, ""], f"a refused key left something behind: {kept}"

    # A stored key the API refuses (401) on a reload is forgotten: back to the sign-in form.
    page.evaluate("(k) => window.sessionStorage.setItem('partner-events.key', k)", wrong)
    page.reload()
    expect(page.get_by_label("API key", exact=True)).to_be_visible()
    assert page.evaluate("() => window.sessionStorage.length") == 0, "a refused key was kept after a reload"


Scenario("wrong_key").run(steps)
