// Event subscriptions of any topic (partner topic, customer topic, system topic): the list and
// the editor, and one subscription's page: delivery stats (refreshed every few seconds),
// Pause/Resume, dead letters (view, redeliver selected or all) and the delivery attempts.

import {
  html, useState, useEffect, ActionButton, ConfirmButton, ErrorNote, Masked, Paged, Field, Section,
  State, Status, When, usePageTitle,
} from "../components.js";
import { get, post, del, at, parseId } from "../api.js";
import { SubscriptionForm } from "./subscription_form.js";

/** The page a topic id belongs to, for the way back. */
function topicPage(topicId) {
  if (/\/partnerTopics\//i.test(topicId)) return ["partner-topics", "Partner topics"];
  if (/\/systemTopics\//i.test(topicId)) return ["platform-events", "Platform events"];
  return ["topics", "Topics"];
}

function destinationText(p) {
  const d = p.destination || {};
  const props = d.properties || {};
  return `${d.endpointType || ""} ${props.endpointBaseUrl || props.resourceId || ""}`.trim();
}

export function TopicSubscriptions({ topic, go }) {
  const [reload, setReload] = useState(0);
  const [page, pageTitle] = topicPage(topic);
  const name = parseId(topic).name;
  return html`<div>
    <p><a href=${`#/${page}`}>← ${pageTitle}</a></p>
    <h1>Event subscriptions of ${name}</h1>
    <${Section} title="Event subscriptions" id="subs-list" onRefresh=${() => setReload((n) => n + 1)}>
      <${Paged} path=${at(topic, "eventSubscriptions")} reload=${reload} label="event subscriptions"
        empty="No event subscriptions yet."
        render=${(items) => html`<table>
          <thead><tr><th scope="col">Name</th><th scope="col">Destination</th><th scope="col">Event types</th><th scope="col">State</th></tr></thead>
          <tbody>${items.map((s) => html`<tr key=${s.id}>
            <th scope="row"><a href=${`#/subscription/${encodeURIComponent(s.id)}`}>${s.name}</a></th>
            <td><code class="small">${destinationText(s.properties)}</code></td>
            <td>${((s.properties.filter || {}).includedEventTypes || []).join(", ") || "all"}</td>
            <td><${State} value=${s.properties.deliveryState} /></td>
          </tr>`)}</tbody>
        </table>`} />
    <//>
    <${Section} title="New event subscription" id="subs-new">
      <${SubscriptionForm} topicId=${topic} onSaved=${(saved) => go("subscription", saved.id)} />
    <//>
  </div>`;
}

/** deliveryStats, read now and every 3 seconds; `onStats` hears every reading. */
function Stats({ id, onStats }) {
  const [stats, setStats] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const read = async () => {
      try {
        const got = await get(at(id, "deliveryStats"));
        if (!live) return;
        setStats(got);
        setError(null);
        onStats(got);
      } catch (e) {
        if (live) setError(e);
      }
    };
    read();
    const timer = window.setInterval(read, 3000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [id, tick]);
  const last = (stats && stats.lastError) || null;
  return html`<${Section} title="Delivery stats" id="stats" onRefresh=${() => setTick((n) => n + 1)}>
    <${ErrorNote} error=${error} />
    ${stats &&
    html`<table class="stats" aria-live="polite">
      <tbody>
        <tr><th scope="row">Delivered</th><td>${stats.deliveredEvents}</td></tr>
        <tr><th scope="row">Failed attempts</th><td>${stats.failedAttempts}</td></tr>
        <tr><th scope="row">Dead-lettered</th><td>${stats.deadLetteredEvents}</td></tr>
        <tr><th scope="row">Last success</th><td><${When} iso=${stats.lastSuccessTimeUtc} /></td></tr>
        <tr><th scope="row">Last error</th><td>${last ? html`${last.outcome} ${last.httpStatusCode || ""} <${When} iso=${last.timeUtc} />` : "—"}</td></tr>
      </tbody>
    </table>`}
  <//>`;
}

function DeadLetters({ id, reload }) {
  const [selected, setSelected] = useState([]);
  const [status, setStatus] = useState("");
  const [mine, setMine] = useState(0);
  const toggle = (dlid, on) => setSelected((s) => (on ? [...s, dlid] : s.filter((x) => x !== dlid)));
  const redeliver = (ids) => async () => {
    const answer = await post(at(id, "redeliverDeadLetters"), ids ? { ids } : undefined);
    setSelected([]);
    setStatus(`Redelivered ${answer.redelivered}`);
    setMine((n) => n + 1);
  };
  return html`<${Section} title="Dead letters" id="dead-letters" onRefresh=${() => setMine((n) => n + 1)}>
    <${Paged} path=${at(id, "deadLetters")} reload=${`${reload}-${mine}`} label="dead letters" empty="No dead letters."
      render=${(items) => html`<table>
        <thead><tr><th scope="col">Select</th><th scope="col">Event id</th><th scope="col">Type</th><th scope="col">Reason</th>
          <th scope="col">Attempts</th><th scope="col">Last outcome</th><th scope="col">Dead-lettered</th><th scope="col">Event</th></tr></thead>
        <tbody>${items.map((d) => html`<tr key=${d.deadletterid}>
          <td><input type="checkbox" aria-label=${`Select ${d.id}`} checked=${selected.includes(d.deadletterid)}
            onChange=${(e) => toggle(d.deadletterid, e.currentTarget.checked)} /></td>
          <th scope="row"><code>${d.id}</code></th>
          <td>${d.type}</td>
          <td>${d.deadletterreason}</td>
          <td>${d.deliveryattempts}</td>
          <td>${d.lastdeliveryoutcome} ${d.lasthttpstatuscode || ""}</td>
          <td><${When} iso=${d.deadlettertime} /></td>
          <td><details><summary>View</summary><pre>${JSON.stringify(d, null, 2)}</pre></details></td>
        </tr>`)}</tbody>
      </table>`} />
    <div class="form-actions">
      <${ActionButton} label="Redeliver selected" disabled=${selected.length === 0} onClick=${redeliver(selected)} />
      <${ActionButton} label="Redeliver all" onClick=${redeliver(null)} />
      <${Status} text=${status} />
    </div>
  <//>`;
}

function Attempts({ id, reload }) {
  const [eventId, setEventId] = useState("");
  const [filter, setFilter] = useState("");
  const path = at(id, "deliveryAttempts") + (filter ? `?eventId=${encodeURIComponent(filter)}` : "");
  return html`<${Section} title="Delivery attempts" id="attempts">
    <form class="inline" aria-label="Filter attempts" onSubmit=${(e) => { e.preventDefault(); setFilter(eventId.trim()); }}>
      <${Field} label="Event id" value=${eventId} onInput=${setEventId} />
      <button type="submit">Show attempts</button>
    </form>
    <${Paged} path=${path} reload=${reload} label="delivery attempts" empty="No attempts logged."
      render=${(items) => html`<table>
        <thead><tr><th scope="col">Event id</th><th scope="col">Attempt</th><th scope="col">Time</th><th scope="col">Outcome</th>
          <th scope="col">HTTP</th><th scope="col">ms</th><th scope="col">Result</th><th scope="col">Answer</th></tr></thead>
        <tbody>${items.map((a, i) => html`<tr key=${i}>
          <th scope="row"><code>${a.eventId}</code></th><td>${a.deliveryCount}</td><td><${When} iso=${a.timeUtc} /></td>
          <td>${a.outcome}</td><td>${a.httpStatusCode || ""}</td><td>${a.durationMs}</td>
          <td>${a.result}${a.retryAtUtc ? html` (retry <${When} iso=${a.retryAtUtc} />)` : ""}${a.deadLetterReason ? ` (${a.deadLetterReason})` : ""}</td>
          <td><code class="small">${a.responseBody || ""}</code></td>
        </tr>`)}</tbody>
      </table>`} />
  <//>`;
}

export function SubscriptionDetail({ id, go }) {
  const [sub, setSub] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState("");
  const [counts, setCounts] = useState("");
  const load = () => get(id).then(setSub, setError);
  useEffect(() => {
    load();
  }, [id]);
  usePageTitle(sub ? `Event subscription ${sub.name}` : error ? "Event subscription not found" : null);
  const topic = id.replace(/\/eventSubscriptions\/[^/]+$/, "");
  const control = (action) => async () => {
    setSub(await post(at(id, action)));
    setStatus(action === "pause" ? "Paused" : "Resumed");
  };
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!sub) return html`<p class="muted">Loading…</p>`;
  const p = sub.properties;
  const state = p.deliveryState;
  return html`<div>
    <p><a href=${`#/events/${encodeURIComponent(topic)}`}>← Event subscriptions of ${parseId(topic).name}</a></p>
    <h1>Event subscription ${sub.name}</h1>
    <${Section} title="Settings" id="sub-settings">
      <dl class="facts">
        <dt>Destination</dt><dd><code class="small">${destinationText(p)}</code></dd>
        ${p.destination.endpointType === "WebHook" &&
        html`<dt>Full endpoint URL</dt><dd><${Masked} label="full endpoint URL" load=${async () => (await post(at(id, "getFullUrl"))).endpointUrl} /></dd>`}
        <dt>Event types</dt><dd>${((p.filter || {}).includedEventTypes || []).join(", ") || "all"}</dd>
        <dt>Advanced filters</dt><dd>${((p.filter || {}).advancedFilters || []).length}</dd>
        <dt>Retry policy</dt><dd>${p.retryPolicy.maxDeliveryAttempts} attempts, ${p.retryPolicy.eventTimeToLiveInMinutes} min</dd>
        <dt>Delivery state</dt><dd><${State} value=${state} /></dd>
      </dl>
      <div class="form-actions">
        ${state === "Paused"
          ? html`<${ActionButton} label="Resume" kind="primary" onClick=${control("resume")} />`
          : html`<${ActionButton} label="Pause" onClick=${control("pause")} />`}
        <button type="button" aria-expanded=${editing} onClick=${() => setEditing(!editing)}>${editing ? "Close editor" : "Edit"}</button>
        <${ConfirmButton} label="Delete" what=${sub.name} onConfirm=${async () => { await del(id); go("events", topic); }} />
        <${Status} text=${status} />
      </div>
      ${editing && html`<${SubscriptionForm} existing=${sub} topicId=${topic} onSaved=${(saved) => { setSub(saved); setEditing(false); setStatus(`${saved.name} saved`); }} />`}
    <//>
    <${Stats} id=${id} onStats=${(s) => setCounts(`${s.deliveredEvents}-${s.deadLetteredEvents}-${s.failedAttempts}`)} />
    <${DeadLetters} id=${id} reload=${counts} />
    <${Attempts} id=${id} reload=${counts} />
  </div>`;
}
