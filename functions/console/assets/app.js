// The console's shell: sign-in, who is signed in, navigation (hash routes) and the page.

import { html, render, useState, useEffect, useRef } from "./vendor/htm-preact-standalone.module.js";
import { call, storedKey, storeKey, forgetKey } from "./api.js";
import { ErrorNote, Select, useId, usePageTitle } from "./components.js";
import { PartnerTopics, PartnerDestinations, CustomerTopics, Configurations, PlatformEvents } from "./views/customer.js";
import { TopicSubscriptions, SubscriptionDetail } from "./views/subscriptions.js";
import { Registrations, Namespaces, NamespaceDetail } from "./views/partner.js";
import { Principals, VerifiedPartners } from "./views/operator.js";

const CUSTOMER = [
  ["partner-topics", "Partner topics"],
  ["partner-destinations", "Partner destinations"],
  ["topics", "Topics"],
  ["configuration", "Partner configuration"],
  ["platform-events", "Platform events"],
];
const PARTNER = [
  ["registrations", "Registrations"],
  ["namespaces", "Namespaces"],
];
const OPERATOR = [
  ["principals", "Principals"],
  ["verified-partners", "Verified partners"],
];

/**
 * Who a key belongs to: the principal's subscriptions, and whether it is the operator's. A
 * principal owns at least one subscription and the operator none, so only a key without
 * subscriptions is asked for the operator's list.
 */
async function whoIs(key) {
  const subs = await call("GET", "/subscriptions", undefined, key);
  const subscriptions = (subs && subs.value) || [];
  let operator = false;
  if (subscriptions.length > 0) return { subscriptions, operator };
  try {
    await call("GET", "/admin/principals?$top=1", undefined, key);
    operator = true;
  } catch (e) {
    if (e.status === 0) throw e;
  }
  return { subscriptions, operator };
}

/** What a resource id in a route must look like: a path of an Event Grid resource. */
const RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.EventGrid\//i;

function isResourceId(id) {
  return RESOURCE_ID.test(id) && !/[?#\\]/.test(id) && !id.split("/").some((s) => s === "." || s === "..");
}

/**
 * The route in the hash: `#/<page>/<arg>` → {page, arg}. `arg` is a resource id, called on
 * the API as it is, so anything else (another host, a path outside the resources) makes the
 * route `invalid`: the page says it was not found and nothing is fetched.
 */
function readRoute() {
  const parts = window.location.hash.replace(/^#\/?/, "").split("/");
  const page = parts[0] || "";
  let arg;
  try {
    arg = parts.slice(1).map(decodeURIComponent).join("/");
  } catch {
    return { page, arg: "", invalid: true };
  }
  return { page, arg, invalid: arg !== "" && !isResourceId(arg) };
}

export function go(page, arg) {
  window.location.hash = `#/${page}${arg ? `/${encodeURIComponent(arg)}` : ""}`;
}

function SignIn({ onSignedIn }) {
  const id = useId("key");
  const [key, setKey] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const who = await whoIs(key.trim());
      storeKey(key.trim());
      setKey("");
      onSignedIn(who);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin" id="main">
    <h1>Partner Events</h1>
    <p>Sign in with your principal key, or the operator key. It is kept in this tab only.</p>
    <form onSubmit=${submit} aria-label="Sign in">
      <div class="field">
        <label for=${id}>API key</label>
        <input id=${id} type="password" autocomplete="off" spellcheck="false" required
          aria-describedby=${error ? `${id}-error` : undefined}
          value=${key} onInput=${(e) => setKey(e.currentTarget.value)} />
        <${ErrorNote} error=${error} id=${`${id}-error`} />
      </div>
      <button type="submit" class="primary" disabled=${busy}>Sign in</button>
    </form>
  </main>`;
}

function NavGroup({ title, items, route }) {
  return html`<div class="nav-group">
    <h2>${title}</h2>
    <ul>
      ${items.map(
        ([page, text]) => html`<li>
          <a href=${`#/${page}`} aria-current=${route.page === page ? "page" : undefined}>${text}</a>
        </li>`,
      )}
    </ul>
  </div>`;
}

function NotFound() {
  usePageTitle("Not found");
  return html`<div>
    <h1>Not found</h1>
    <${ErrorNote} error=${{ code: "NotFound", message: "this console has no such page; choose one in the navigation" }} />
  </div>`;
}

function Page({ route, who, subscription }) {
  const { page, arg } = route;
  if (route.invalid) return html`<${NotFound} />`;
  const props = { subscription, arg, go };
  switch (page) {
    case "partner-topics": return html`<${PartnerTopics} ...${props} />`;
    case "partner-destinations": return html`<${PartnerDestinations} ...${props} />`;
    case "topics": return html`<${CustomerTopics} ...${props} />`;
    case "configuration": return html`<${Configurations} ...${props} />`;
    case "platform-events": return html`<${PlatformEvents} ...${props} />`;
    case "events": return html`<${TopicSubscriptions} topic=${arg} go=${go} />`;
    case "subscription": return html`<${SubscriptionDetail} id=${arg} go=${go} />`;
    case "registrations": return html`<${Registrations} ...${props} />`;
    case "namespaces": return html`<${Namespaces} ...${props} />`;
    case "namespace": return html`<${NamespaceDetail} id=${arg} go=${go} />`;
    case "principals": return who.operator ? html`<${Principals} />` : html`<${NotFound} />`;
    case "verified-partners": return who.operator ? html`<${VerifiedPartners} />` : html`<${NotFound} />`;
    default: return html`<${NotFound} />`;
  }
}

function Console({ who, onSignOut }) {
  const [route, setRoute] = useState(readRoute());
  const subs = who.subscriptions;
  const [subscription, setSubscription] = useState(subs.length ? subs[0].subscriptionId : "");
  useEffect(() => {
    const changed = () => setRoute(readRoute());
    window.addEventListener("hashchange", changed);
    changed(); // a hash changed between the first render and now
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  const shown = useRef(false);
  useEffect(() => {
    if (!route.page) {
      go(subs.length ? "partner-topics" : "principals");
      return;
    }
    // A new page: its title in the tab (detail pages set it again once their heading is
    // loaded), and, after the first page, focus on the content for keyboard and screen
    // reader users.
    const heading = document.querySelector("#main h1");
    document.title = `${heading ? heading.textContent : "Console"} · Partner Events`;
    if (shown.current) document.getElementById("main").focus();
    shown.current = true;
  }, [route.page, route.arg]);
  const name = subs.length ? subs[0].displayName : "operator";
  return html`<div class="shell">
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">Partner Events</span>
      ${subs.length > 1 &&
      html`<${Select} label="Subscription" value=${subscription} onChange=${setSubscription}
        options=${subs.map((s) => [s.subscriptionId, s.subscriptionId])} />`}
      ${subs.length === 1 && html`<span class="muted" title="Subscription">${subscription}</span>`}
      <span class="who">Signed in as <strong>${name}</strong></span>
      <button type="button" onClick=${onSignOut}>Sign out</button>
    </header>
    <nav class="side" aria-label="Console sections">
      ${subs.length > 0 && html`<${NavGroup} title="Customer" items=${CUSTOMER} route=${route} />`}
      ${subs.length > 0 && html`<${NavGroup} title="Partner" items=${PARTNER} route=${route} />`}
      ${who.operator && html`<${NavGroup} title="Operator" items=${OPERATOR} route=${route} />`}
    </nav>
    <main class="content" id="main" tabindex="-1">
      <${Page} key=${`${route.page}|${route.arg}|${subscription}`} route=${route} who=${who} subscription=${subscription} />
    </main>
  </div>`;
}

/**
 * The stored key could not be checked (the server unreachable or failing): the key is kept,
 * and the user can try again or sign in with another one.
 */
function CheckFailed({ error, onRetry, onSignOut }) {
  return html`<main class="signin" id="main">
    <h1>Partner Events</h1>
    <p>The console could not check the key this tab signed in with.</p>
    <${ErrorNote} error=${error} />
    <div class="form-actions">
      <button type="button" class="primary" onClick=${onRetry}>Try again</button>
      <button type="button" onClick=${onSignOut}>Sign out</button>
    </div>
  </main>`;
}

function App() {
  const [who, setWho] = useState(null);
  const [checking, setChecking] = useState(Boolean(storedKey()));
  const [failed, setFailed] = useState(null);
  const check = () => {
    const key = storedKey();
    if (!key) return;
    setChecking(true);
    setFailed(null);
    whoIs(key)
      .then(setWho)
      .catch((e) => {
        // Only a refused key is forgotten; a server that cannot answer now keeps it.
        if (e.status === 401) forgetKey();
        else setFailed(e);
      })
      .finally(() => setChecking(false));
  };
  useEffect(check, []);
  const signOut = () => {
    forgetKey();
    setWho(null);
    setFailed(null);
    window.location.hash = "";
  };
  if (checking) return html`<p class="muted" role="status">Signing in…</p>`;
  if (failed) return html`<${CheckFailed} error=${failed} onRetry=${check} onSignOut=${signOut} />`;
  if (!who) return html`<${SignIn} onSignedIn=${setWho} />`;
  return html`<${Console} who=${who} onSignOut=${signOut} />`;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
