"""Shared support of the console scenarios: the API over HTTP (standard library only), tenant
setup with the operator key, a local webhook receiver, the browser and screenshots.

Each scenario is run as `python tests/console/<scenario>.py BASE_URL OPERATOR_KEY SCREENSHOT_DIR`
and exits 0 on success, non-zero with a message on failure.
"""

import http.server
import json
import os
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

EG = "providers/Microsoft.EventGrid"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class ApiFailure(AssertionError):
    pass


class Api:
    """The public API at `base`, called with `key` (Bearer)."""

    def __init__(self, base, key):
        self.base = base.rstrip("/")
        self.key = key

    def call(self, method, path, body=None, headers=None, expect=None, raw=None):
        """`method` on `path` with JSON `body`; (status, parsed body or None). Fails when
        `expect` (a status or a tuple of them) is given and not met."""
        url = path if path.startswith("http") else self.base + path
        sent = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        request = urllib.request.Request(url, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        parsed = json.loads(text) if text.strip() else None
        if expect is not None:
            wanted = expect if isinstance(expect, tuple) else (expect,)
            if status not in wanted:
                raise ApiFailure(f"{method} {path}: expected {wanted}, got {status}: {text[:500]!r}")
        return status, parsed

    def get(self, path, **kw):
        return self.call("GET", path, **kw)[1]

    def put(self, path, body, **kw):
        return self.call("PUT", path, body, **kw)[1]

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)[1]


def rg(sub, group):
    return f"/subscriptions/{sub}/resourceGroups/{group}/{EG}"


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class Tenants:
    """A partner (registration, namespace) and a customer (partner configuration authorizing
    the partner), each a fresh principal with a fresh subscription id."""

    def __init__(self, base, operator_key, routing_mode="ChannelNameHeader"):
        self.base = base.rstrip("/")
        operator = Api(base, operator_key)
        self.partner_sub, self.customer_sub = str(uuid.uuid4()), str(uuid.uuid4())
        self.partner_name = unique("fabrikam")
        self.partner_key = operator.post(
            "/admin/principals",
            {"name": self.partner_name, "subscriptions": [self.partner_sub]},
            expect=201,
        )["key"]
        self.customer_name = unique("contoso")
        self.customer_key = operator.post(
            "/admin/principals",
            {"name": self.customer_name, "subscriptions": [self.customer_sub]},
            expect=201,
        )["key"]
        self.partner = Api(base, self.partner_key)
        self.customer = Api(base, self.customer_key)
        self.registration = self.partner.put(
            f"{rg(self.partner_sub, 'partner-rg')}/partnerRegistrations/{self.partner_name}",
            {"location": "global"},
            expect=200,
        )
        self.namespace_name = unique("ns")
        self.namespace = f"{rg(self.partner_sub, 'partner-rg')}/partnerNamespaces/{self.namespace_name}"
        self.partner.put(
            self.namespace,
            {
                "location": "global",
                "properties": {
                    "partnerRegistrationFullyQualifiedId": self.registration["id"],
                    "partnerTopicRoutingMode": routing_mode,
                },
            },
            expect=201,
        )
        self.config = f"{rg(self.customer_sub, 'customer-rg')}/partnerConfigurations/default"
        self.customer.put(
            self.config,
            {"properties": {"partnerAuthorization": {"defaultMaximumExpirationTimeInDays": 30}}},
            expect=(200, 201),
        )
        self.customer.post(f"{self.config}/authorizePartner", {"partnerName": self.partner_name}, expect=200)

    def channel(self, channel, topic, source="fabrikam/orders", message="Activate to receive orders"):
        """The partner opens `channel`, creating partner topic `topic`; the topic's path."""
        self.partner.put(
            f"{self.namespace}/channels/{channel}",
            {
                "properties": {
                    "channelType": "PartnerTopic",
                    "messageForActivation": message,
                    "partnerTopicInfo": {
                        "azureSubscriptionId": self.customer_sub,
                        "resourceGroupName": "customer-rg",
                        "name": topic,
                        "source": source,
                    },
                }
            },
            expect=201,
        )
        return self.topic(topic)

    def topic(self, name):
        return f"{rg(self.customer_sub, 'customer-rg')}/partnerTopics/{name}"

    def activated_topic(self, channel, topic):
        path = self.channel(channel, topic)
        self.customer.post(f"{path}/activate", expect=200)
        return path

    def subscribe(self, topic, name, endpoint, **extra):
        """The customer subscribes `endpoint` to `topic` over HTTP; the subscription."""
        props = {"destination": {"endpointType": "WebHook", "properties": {"endpointUrl": endpoint}}}
        props.update(extra)
        return self.customer.put(f"{topic}/eventSubscriptions/{name}", {"properties": props}, expect=(200, 201))

    def publish(self, channel, events):
        """Publishes `events` to the namespace with its key 1, naming `channel`; asserts 200."""
        key = self.partner.post(f"{self.namespace}/listKeys", expect=200)["key1"]
        endpoint = self.partner.get(self.namespace, expect=200)["properties"]["endpoint"]
        path = urllib.parse.urlparse(endpoint).path
        Api(self.base, None).call(
            "POST",
            path,
            raw=json.dumps(events).encode(),
            headers={
                "aeg-sas-key": key,
                "aeg-channel-name": channel,
                "Content-Type": "application/cloudevents-batch+json; charset=utf-8",
            },
            expect=200,
        )


def event(event_id, source="fabrikam/orders", type_="Order.Created", data=None):
    return {"specversion": "1.0", "id": event_id, "source": source, "type": type_, "data": data or {"order": 42}}


class Receiver:
    """A webhook on 127.0.0.1: answers the validation handshake, records what is POSTed and
    answers `status` (200 unless changed)."""

    def __init__(self):
        self.status = 200
        self.received = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_OPTIONS(self):
                origin = self.headers.get("WebHook-Request-Origin")
                self.send_response(200)
                if origin:
                    self.send_header("WebHook-Allowed-Origin", "*")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver.status
                if status < 300:
                    parsed = json.loads(body)
                    receiver.received.extend(parsed if isinstance(parsed, list) else [parsed])
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def ids(self):
        return [e.get("id") for e in self.received]

    def wait_for(self, event_id, timeout=20):
        wait_until(lambda: event_id in self.ids(), timeout, f"the receiver to get event {event_id}")

    def close(self):
        self.server.shutdown()


def wait_until(check, timeout, what, every=0.2):
    """Polls `check` until it is true; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


class Scenario:
    """argv parsing, the browser, screenshots and the pass/fail exit of one scenario."""

    def __init__(self, name):
        if len(sys.argv) != 4:
            print(f"usage: {sys.argv[0]} BASE_URL OPERATOR_KEY SCREENSHOT_DIR", file=sys.stderr)
            sys.exit(2)
        self.name = name
        self.base = sys.argv[1].rstrip("/")
        self.operator_key = sys.argv[2]
        self.shots = sys.argv[3]
        os.makedirs(self.shots, exist_ok=True)
        self.page = None
        self.problems = []

    def shot(self, filename):
        if self.page is not None:
            self.page.screenshot(path=os.path.join(self.shots, filename), full_page=True)

    def sign_in(self, key):
        page = self.page
        page.goto(f"{self.base}/console")  # redirected to console/index.html, as on AWS
        page.get_by_label("API key", exact=True).fill(key)
        page.get_by_role("button", name="Sign in", exact=True).click()

    def find_row(self, text, more):
        """The table row holding `text`, pressing `Load more <more>` (the next page, by
        nextLink) while it is not loaded yet: a shared server may list many before it."""
        page = self.page
        row = page.get_by_role("row").filter(has_text=text)
        button = page.get_by_role("button", name=f"Load more {more}", exact=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if row.count() > 0:
                return row
            if button.count() > 0 and button.is_enabled():
                button.click()
            time.sleep(0.1)
        raise AssertionError(f"no row with {text!r} after loading every page of {more}")

    def check_names(self):
        """Fails when a control on the page has no accessible name (label, aria-label, or
        a button's or link's text)."""
        unnamed = self.page.evaluate(
            """() => [...document.querySelectorAll('button, input, select, textarea, a[href]')]
              .filter((el) => {
                const labels = el.labels ? [...el.labels].map((l) => l.textContent).join('') : '';
                const text = el.tagName === 'BUTTON' || el.tagName === 'A' ? el.textContent : '';
                return !((el.getAttribute('aria-label') || '') + labels + text).trim();
              })
              .map((el) => el.outerHTML.slice(0, 160))"""
        )
        assert not unnamed, "controls without an accessible name:\n" + "\n".join(unnamed)

    def run(self, steps):
        """Runs `steps(scenario)` in a fresh headless chromium; exits 0 or 1."""
        from playwright.sync_api import sync_playwright

        started = time.monotonic()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(viewport={"width": 1280, "height": 800})
                    self.page = context.new_page()
                    self.page.on("console", self._console)
                    self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
                    steps(self)
                    assert not self.problems, "the page reported problems:\n" + "\n".join(self.problems)
                finally:
                    browser.close()
        except Exception:  # noqa: BLE001 - every failure ends the scenario with its message
            try:
                self.shot(f"{self.name}-failure.png")
            except Exception:  # noqa: BLE001
                pass
            traceback.print_exc()
            print(f"FAIL {self.name}", file=sys.stderr)
            sys.exit(1)
        print(f"PASS {self.name} ({time.monotonic() - started:.1f} s)")
        sys.exit(0)

    def _console(self, message):
        text = message.text
        # A refused key is an expected 401 in the browser's log; CSP violations and script
        # errors are not.
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"CSP: {text}")
        elif message.type == "error" and "401" not in text and "Failed to load resource" not in text:
            self.problems.append(f"console error: {text}")
