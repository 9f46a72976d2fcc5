// The customer's pages: partner topics and destinations (activate, deactivate, delete),
// customer topics (endpoint, keys, regenerate), partner configurations (authorize a partner
// from the verified-partner gallery, unauthorize) and the platform-events system topic.

import {
  html, useState, useEffect, ActionButton, ConfirmButton, Masked, Paged, Field, Form, Select,
  Section, State, Status, When, timeLeft,
} from "../components.js";
import { post, put, patch, del, all, at, rgPath, subList, parseId } from "../api.js";

/** Verified partners by immutable id, to show a partner's display name. */
function usePartnerNames() {
  const [names, setNames] = useState({});
  useEffect(() => {
    all("/providers/Microsoft.EventGrid/verifiedPartners")
      .then((list) => {
        const byId = {};
        for (const p of list) {
          const props = p.properties || {};
          byId[props.partnerRegistrationImmutableId] = props.partnerDisplayName || p.name;
        }
        setNames(byId);
      })
      .catch(() => setNames({}));
  }, []);
  return names;
}

function PairedRow({ item, names, kind, onChanged, go }) {
  const p = item.properties || {};
  const state = p.activationState;
  const { resourceGroup } = parseId(item.id);
  const act = (action) => async () => {
    await post(at(item.id, action));
    onChanged(`${item.name}: ${action === "activate" ? "Activated" : "Deactivated"}`);
  };
  return html`<tr>
    <th scope="row">${item.name}<div class="muted small">${resourceGroup}</div></th>
    <td>${names[p.partnerRegistrationImmutableId] || html`<code class="small">${p.partnerRegistrationImmutableId}</code>`}</td>
    <td>${kind === "partnerTopics" ? p.source || "—" : p.endpointBaseUrl || "—"}</td>
    <td>${p.partnerTopicFriendlyDescription || p.endpointServiceContext || ""}</td>
    <td class="message">${p.messageForActivation || ""}</td>
    <td><${State} value=${state} /></td>
    <td>${state === "NeverActivated" ? timeLeft(p.expirationTimeIfNotActivatedUtc) : "—"}</td>
    <td class="actions">
      ${state !== "Activated" && html`<${ActionButton} label="Activate" aria=${`Activate ${item.name}`} kind="primary" onClick=${act("activate")} />`}
      ${state === "Activated" && html`<${ActionButton} label="Deactivate" aria=${`Deactivate ${item.name}`} onClick=${act("deactivate")} />`}
      <${ConfirmButton} label="Delete" what=${item.name}
        onConfirm=${async () => { await del(item.id); onChanged(`${item.name}: Deleted`); }} />
      ${kind === "partnerTopics" &&
      html`<a href=${`#/events/${encodeURIComponent(item.id)}`} aria-label=${`Event subscriptions of ${item.name}`}>Event subscriptions</a>`}
    </td>
  </tr>`;
}

/** Partner topics or partner destinations of the subscription. */
function PairedList({ subscription, kind, title, go }) {
  const names = usePartnerNames();
  const [reload, setReload] = useState(0);
  const [status, setStatus] = useState("");
  const changed = (text) => {
    setStatus(text);
    setReload((n) => n + 1);
  };
  return html`<div>
    <h1>${title}</h1>
    <p class="muted">
      ${kind === "partnerTopics"
        ? "What partners provisioned for you. Activate a topic to receive its events; one never activated disappears at its deadline."
        : "Where your events leave for a partner. Activate a destination to use it in a subscription."}
    </p>
    <${Status} text=${status} />
    <${Section} title=${title} id=${`${kind}-list`} onRefresh=${() => setReload((n) => n + 1)}>
      <${Paged} path=${subList(subscription, kind)} reload=${reload} label=${title.toLowerCase()}
        empty=${`No ${title.toLowerCase()} yet.`}
        render=${(items) => html`<table>
          <thead><tr>
            <th scope="col">Name</th><th scope="col">Partner</th>
            <th scope="col">${kind === "partnerTopics" ? "Source" : "Endpoint"}</th>
            <th scope="col">Description</th><th scope="col">Message for activation</th>
            <th scope="col">State</th><th scope="col">Time left to activate</th><th scope="col">Actions</th>
          </tr></thead>
          <tbody>${items.map((item) => html`<${PairedRow} key=${item.id} item=${item} names=${names} kind=${kind} onChanged=${changed} go=${go} />`)}</tbody>
        </table>`} />
    <//>
  </div>`;
}

export function PartnerTopics({ subscription, go }) {
  return html`<${PairedList} subscription=${subscription} kind="partnerTopics" title="Partner topics" go=${go} />`;
}

export function PartnerDestinations({ subscription, go }) {
  return html`<${PairedList} subscription=${subscription} kind="partnerDestinations" title="Partner destinations" go=${go} />`;
}

/** Both keys of a topic or namespace, masked, with regenerate buttons. */
export function Keys({ id, name }) {
  const [generation, setGeneration] = useState(0);
  const [status, setStatus] = useState("");
  const regenerate = (keyName) => async () => {
    await post(at(id, "regenerateKey"), { keyName });
    setGeneration((n) => n + 1);
    setStatus(`${keyName} of ${name} regenerated`);
  };
  return html`<div class="keys">
    ${["key1", "key2"].map(
      (k) => html`<div class="key-row">
        <span class="key-name">${k === "key1" ? "Key 1" : "Key 2"}</span>
        <${Masked} key=${`${k}-${generation}`} label=${`${k === "key1" ? "Key 1" : "Key 2"} of ${name}`}
          load=${async () => (await post(at(id, "listKeys")))[k]} />
        <${ActionButton} label="Regenerate" aria=${`Regenerate ${k === "key1" ? "key 1" : "key 2"} of ${name}`} onClick=${regenerate(k)} />
      </div>`,
    )}
    <${Status} text=${status} />
  </div>`;
}

export function CustomerTopics({ subscription }) {
  const [reload, setReload] = useState(0);
  const [group, setGroup] = useState("");
  const [name, setName] = useState("");
  const create = async () => {
    const created = await put(`${rgPath(subscription, group.trim())}/topics/${encodeURIComponent(name.trim())}`, {
      location: "global",
      properties: { inputSchema: "CloudEventSchemaV1_0" },
    });
    setName("");
    setReload((n) => n + 1);
    return created;
  };
  return html`<div>
    <h1>Topics</h1>
    <p class="muted">Your own topics, for your own events: publish to the endpoint with a key, subscribe like any topic.</p>
    <${Section} title="Topics" id="topics-list" onRefresh=${() => setReload((n) => n + 1)}>
      <${Paged} path=${subList(subscription, "topics")} reload=${reload} label="topics" empty="No topics yet."
        render=${(items) => html`<table>
          <thead><tr><th scope="col">Name</th><th scope="col">Endpoint</th><th scope="col">Keys</th><th scope="col">Actions</th></tr></thead>
          <tbody>${items.map((t) => html`<tr key=${t.id}>
            <th scope="row">${t.name}<div class="muted small">${parseId(t.id).resourceGroup}</div></th>
            <td><code class="small">${t.properties.endpoint}</code></td>
            <td><${Keys} id=${t.id} name=${t.name} /></td>
            <td class="actions">
              <a href=${`#/events/${encodeURIComponent(t.id)}`} aria-label=${`Event subscriptions of ${t.name}`}>Event subscriptions</a>
              <${ConfirmButton} label="Delete" what=${t.name} onConfirm=${async () => { await del(t.id); setReload((n) => n + 1); }} />
            </td>
          </tr>`)}</tbody>
        </table>`} />
    <//>
    <${Section} title="New topic" id="topic-new">
      <${Form} submit="Create topic" onSubmit=${create} done=${(t) => `Topic ${t.name} created`}>
        <${Field} label="Resource group" value=${group} onInput=${setGroup} required />
        <${Field} label="Topic name" value=${name} onInput=${setName} required hint="Unique in this deployment" />
      <//>
    <//>
  </div>`;
}

function AuthorizeForm({ config, partners, onDone }) {
  const [partner, setPartner] = useState("");
  const [expiry, setExpiry] = useState("");
  const options = [["", "Choose a verified partner…"], ...partners.map((p) => [p.name, `${p.properties.partnerDisplayName || p.name} (${p.properties.organizationName || ""})`])];
  const submit = async () => {
    const body = { partnerName: partner.trim() };
    const verified = partners.find((p) => p.name === partner);
    if (verified) body.partnerRegistrationImmutableId = verified.properties.partnerRegistrationImmutableId;
    if (expiry) body.authorizationExpirationTimeInUtc = new Date(expiry).toISOString();
    const result = await post(at(config.id, "authorizePartner"), body);
    setPartner("");
    onDone(`${body.partnerName} authorized`);
    return result;
  };
  return html`<${Form} title="Authorize a partner" submit="Authorize" onSubmit=${submit}>
    <${Select} label="Verified partner" value=${partners.some((p) => p.name === partner) ? partner : ""} onChange=${setPartner} options=${options} />
    <${Field} label="Partner name" value=${partner} onInput=${setPartner} required
      hint="A verified partner's name or a partner registration's name" />
    <${Field} label="Authorization expiry" type="datetime-local" value=${expiry} onInput=${setExpiry}
      hint=${`Optional; at most ${config.properties.partnerAuthorization.defaultMaximumExpirationTimeInDays} days ahead (the default)`} />
  <//>`;
}

function Configuration({ config, partners, onChanged }) {
  const auth = config.properties.partnerAuthorization || {};
  const list = auth.authorizedPartnersList || [];
  const group = parseId(config.id).resourceGroup;
  return html`<${Section} title=${`Resource group ${group}`} id=${`cfg-${group}`}>
    <p>Authorizations last at most <strong>${auth.defaultMaximumExpirationTimeInDays}</strong> days.</p>
    ${list.length === 0
      ? html`<p class="muted">No partner is authorized in ${group}.</p>`
      : html`<table>
          <caption>Authorized partners in ${group}</caption>
          <thead><tr><th scope="col">Partner</th><th scope="col">Immutable id</th><th scope="col">Expires</th><th scope="col">Actions</th></tr></thead>
          <tbody>${list.map((a) => html`<tr key=${a.partnerRegistrationImmutableId}>
            <th scope="row">${a.partnerName}</th>
            <td><code class="small">${a.partnerRegistrationImmutableId}</code></td>
            <td><${When} iso=${a.authorizationExpirationTimeInUtc} /> <span class="muted">(${timeLeft(a.authorizationExpirationTimeInUtc)})</span></td>
            <td><${ActionButton} label="Unauthorize" aria=${`Unauthorize ${a.partnerName}`}
              onClick=${async () => { await post(at(config.id, "unauthorizePartner"), { partnerRegistrationImmutableId: a.partnerRegistrationImmutableId }); onChanged(`${a.partnerName} unauthorized`); }} /></td>
          </tr>`)}</tbody>
        </table>`}
    <${AuthorizeForm} config=${config} partners=${partners} onDone=${onChanged} />
  <//>`;
}

export function Configurations({ subscription }) {
  const [reload, setReload] = useState(0);
  const [status, setStatus] = useState("");
  const [partners, setPartners] = useState([]);
  const [group, setGroup] = useState("");
  const [days, setDays] = useState("7");
  useEffect(() => {
    all("/providers/Microsoft.EventGrid/verifiedPartners").then(setPartners).catch(() => setPartners([]));
  }, []);
  const changed = (text) => {
    setStatus(text);
    setReload((n) => n + 1);
  };
  // An existing configuration is PATCHed (only its maximum changes: a PUT would replace it
  // whole and drop its authorized partners); a missing one (PATCH answers 404) is created.
  const save = async () => {
    const path = `${rgPath(subscription, group.trim())}/partnerConfigurations/default`;
    const maximum = Number(days);
    let saved;
    try {
      saved = await patch(path, { properties: { defaultMaximumExpirationTimeInDays: maximum } });
    } catch (e) {
      if (e.status !== 404) throw e;
      saved = await put(path, { properties: { partnerAuthorization: { defaultMaximumExpirationTimeInDays: maximum } } });
    }
    changed(`Partner configuration of ${group.trim()} saved`);
    return saved;
  };
  return html`<div>
    <h1>Partner configuration</h1>
    <p class="muted">Authorize a partner in a resource group, for a limited time, so it can create partner topics and destinations there.</p>
    <${Status} text=${status} />
    <${Paged} path=${subList(subscription, "partnerConfigurations")} reload=${reload} label="partner configurations"
      empty="No partner configuration yet: create one for a resource group below."
      render=${(items) => items.map((c) => html`<${Configuration} key=${c.id} config=${c} partners=${partners} onChanged=${changed} />`)} />
    <${Section} title="New or changed partner configuration" id="cfg-new">
      <${Form} submit="Save configuration" onSubmit=${save}>
        <${Field} label="Resource group" value=${group} onInput=${setGroup} required />
        <${Field} label="Maximum authorization days" type="number" min="1" max="365" value=${days} onInput=${setDays} required />
      <//>
    <//>
    <${Section} title="Verified partners" id="gallery">
      ${partners.length === 0
        ? html`<p class="muted">The operator has verified no partner yet.</p>`
        : html`<ul class="gallery">${partners.map((p) => html`<li key=${p.name}>
            <strong>${p.properties.partnerDisplayName || p.name}</strong> <span class="muted">${p.properties.organizationName}</span>
            <div>${(p.properties.partnerTopicDetails || {}).description || ""}</div>
          </li>`)}</ul>`}
    <//>
  </div>`;
}

export function PlatformEvents({ subscription }) {
  return html`<div>
    <h1>Platform events</h1>
    <p class="muted">Your subscription's system topic: lifecycle events of partner topics and destinations
      (provisioned, activated, deactivated, expired, deleted), disabled subscriptions and dead letters.</p>
    <${Paged} path=${subList(subscription, "systemTopics")} label="system topics"
      render=${(items) => html`<table>
        <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Source</th><th scope="col">Subscriptions</th></tr></thead>
        <tbody>${items.map((t) => html`<tr key=${t.id}>
          <th scope="row">${t.name}</th><td>${t.properties.topicType}</td><td><code class="small">${t.properties.source}</code></td>
          <td><a href=${`#/events/${encodeURIComponent(t.id)}`} aria-label=${`Event subscriptions of ${t.name}`}>Event subscriptions</a></td>
        </tr>`)}</tbody>
      </table>`} />
  </div>`;
}
