// The partner's pages: registrations, namespaces (endpoint, keys, regenerate) and one
// namespace's channels (create into an authorized resource group, readiness) with the
// `Send test event` form, which publishes with the namespace's key.

import {
  html, useState, useEffect, ConfirmButton, ErrorNote, Paged, Field, Form, Select, Section, State,
  Status, splitList, timeLeft, newId, useId, usePageTitle,
} from "../components.js";
import { get, post, put, del, all, at, rgPath, subList, parseId, publish } from "../api.js";
import { Keys } from "./customer.js";

export function Registrations({ subscription }) {
  const [reload, setReload] = useState(0);
  const [group, setGroup] = useState("");
  const [name, setName] = useState("");
  const create = async () => {
    const created = await put(`${rgPath(subscription, group.trim())}/partnerRegistrations/${encodeURIComponent(name.trim())}`, { location: "global" });
    setReload((n) => n + 1);
    return created;
  };
  return html`<div>
    <h1>Registrations</h1>
    <p class="muted">Your partner registration: customers authorize you by its name (or by the verified partner name the operator gives it).</p>
    <${Section} title="Registrations" id="reg-list" onRefresh=${() => setReload((n) => n + 1)}>
      <${Paged} path=${subList(subscription, "partnerRegistrations")} reload=${reload} label="registrations" empty="No registration yet."
        render=${(items) => html`<table>
          <thead><tr><th scope="col">Name</th><th scope="col">Resource group</th><th scope="col">Immutable id</th><th scope="col">Actions</th></tr></thead>
          <tbody>${items.map((r) => html`<tr key=${r.id}>
            <th scope="row">${r.name}</th><td>${parseId(r.id).resourceGroup}</td>
            <td><code class="small">${r.properties.partnerRegistrationImmutableId}</code></td>
            <td><${ConfirmButton} label="Delete" what=${r.name} onConfirm=${async () => { await del(r.id); setReload((n) => n + 1); }} /></td>
          </tr>`)}</tbody>
        </table>`} />
    <//>
    <${Section} title="New registration" id="reg-new">
      <${Form} submit="Register" onSubmit=${create} done=${(r) => `Registration ${r.name} saved`}>
        <${Field} label="Resource group" value=${group} onInput=${setGroup} required />
        <${Field} label="Registration name" value=${name} onInput=${setName} required hint="Unique in this deployment" />
      <//>
    <//>
  </div>`;
}

export function Namespaces({ subscription }) {
  const [reload, setReload] = useState(0);
  const [registrations, setRegistrations] = useState([]);
  const [group, setGroup] = useState("");
  const [name, setName] = useState("");
  const [registration, setRegistration] = useState("");
  const [mode, setMode] = useState("ChannelNameHeader");
  useEffect(() => {
    all(subList(subscription, "partnerRegistrations")).then((list) => {
      setRegistrations(list);
      if (list.length) setRegistration(list[0].id);
    }, () => setRegistrations([]));
  }, [subscription]);
  const create = async () => {
    const created = await put(`${rgPath(subscription, group.trim())}/partnerNamespaces/${encodeURIComponent(name.trim())}`, {
      location: "global",
      properties: { partnerRegistrationFullyQualifiedId: registration, partnerTopicRoutingMode: mode },
    });
    setReload((n) => n + 1);
    return created;
  };
  return html`<div>
    <h1>Namespaces</h1>
    <${Section} title="Namespaces" id="ns-list" onRefresh=${() => setReload((n) => n + 1)}>
      <${Paged} path=${subList(subscription, "partnerNamespaces")} reload=${reload} label="namespaces" empty="No namespace yet."
        render=${(items) => html`<table>
          <thead><tr><th scope="col">Name</th><th scope="col">Routing</th><th scope="col">Endpoint</th><th scope="col">Actions</th></tr></thead>
          <tbody>${items.map((n) => html`<tr key=${n.id}>
            <th scope="row"><a href=${`#/namespace/${encodeURIComponent(n.id)}`}>${n.name}</a></th>
            <td>${n.properties.partnerTopicRoutingMode}</td>
            <td><code class="small">${n.properties.endpoint}</code></td>
            <td><${ConfirmButton} label="Delete" what=${n.name} onConfirm=${async () => { await del(n.id); setReload((x) => x + 1); }} /></td>
          </tr>`)}</tbody>
        </table>`} />
    <//>
    <${Section} title="New namespace" id="ns-new">
      <${Form} submit="Create namespace" onSubmit=${create} done=${(n) => `Namespace ${n.name} created`}>
        <${Field} label="Resource group" value=${group} onInput=${setGroup} required />
        <${Field} label="Namespace name" value=${name} onInput=${setName} required hint="Unique in this deployment" />
        <${Select} label="Registration" value=${registration} onChange=${setRegistration}
          options=${registrations.map((r) => [r.id, r.name])} />
        <${Select} label="Routing mode" value=${mode} onChange=${setMode} options=${["ChannelNameHeader", "SourceEventAttribute"]} />
      <//>
    <//>
  </div>`;
}

function channelBody(c) {
  const properties = { channelType: c.type };
  if (c.message.trim()) properties.messageForActivation = c.message.trim();
  if (c.expiry) properties.expirationTimeIfNotActivatedUtc = new Date(c.expiry).toISOString();
  const target = { azureSubscriptionId: c.customer.trim(), resourceGroupName: c.group.trim(), name: c.resource.trim() };
  if (c.type === "PartnerTopic") {
    if (c.source.trim()) target.source = c.source.trim();
    const types = splitList(c.eventTypes);
    if (types.length) target.eventTypeInfo = { kind: "Inline", inlineEventTypes: Object.fromEntries(types.map((t) => [t, {}])) };
    if (c.description.trim()) properties.partnerTopicFriendlyDescription = c.description.trim();
    properties.partnerTopicInfo = target;
  } else {
    target.endpointType = "WebHook";
    target.properties = { endpointUrl: c.endpointUrl.trim() };
    if (c.context.trim()) target.endpointServiceContext = c.context.trim();
    properties.partnerDestinationInfo = target;
  }
  return { properties };
}

function ChannelForm({ namespace, onCreated }) {
  const empty = { name: "", type: "PartnerTopic", customer: "", group: "", resource: "", source: "", message: "", description: "", eventTypes: "", expiry: "", endpointUrl: "", context: "" };
  const [c, setC] = useState(empty);
  const set = (field) => (value) => setC((before) => ({ ...before, [field]: value }));
  const create = async () => {
    const created = await put(at(namespace.id, "channels", c.name.trim()), channelBody(c));
    setC({ ...empty, customer: c.customer, group: c.group });
    onCreated(created);
    return created;
  };
  const topic = c.type === "PartnerTopic";
  return html`<${Form} submit="Create channel" onSubmit=${create} done=${(x) => `Channel ${x.name} created`}>
    <${Field} label="Channel name" value=${c.name} onInput=${set("name")} required />
    <${Select} label="Channel type" value=${c.type} onChange=${set("type")} options=${[["PartnerTopic", "Partner topic"], ["PartnerDestination", "Partner destination"]]} />
    <${Field} label="Customer subscription id" value=${c.customer} onInput=${set("customer")} required />
    <${Field} label="Customer resource group" value=${c.group} onInput=${set("group")} required hint="One where the customer authorized you" />
    <${Field} label=${topic ? "Partner topic name" : "Partner destination name"} value=${c.resource} onInput=${set("resource")} required />
    ${topic && html`
      <${Field} label="Source" value=${c.source} onInput=${set("source")}
        hint=${namespace.properties.partnerTopicRoutingMode === "SourceEventAttribute" ? "Required: events with this source go to this channel" : "Informational"} />
      <${Field} label="Description" value=${c.description} onInput=${set("description")} />
      <${Field} label="Event types" value=${c.eventTypes} onInput=${set("eventTypes")} hint="Comma-separated, optional" />`}
    ${!topic && html`
      <${Field} label="Destination endpoint URL" type="url" value=${c.endpointUrl} onInput=${set("endpointUrl")} required />
      <${Field} label="Endpoint service context" value=${c.context} onInput=${set("context")} />`}
    <${Field} label="Message for activation" value=${c.message} onInput=${set("message")} />
    <${Field} label="Activate before" type="datetime-local" value=${c.expiry} onInput=${set("expiry")} hint="Optional; the default deadline applies otherwise" />
  <//>`;
}

/** The `Send test event` form: only partner-topic channels take events (a partner destination
 * channel is not listed), `channels` being those the Channels table has loaded. */
function SendTestEvent({ namespace, channels }) {
  const id = useId("send");
  const [channel, setChannel] = useState("");
  const [type, setType] = useState("Test.Event");
  const [subject, setSubject] = useState("");
  const [data, setData] = useState('{"hello": "world"}');
  const [status, setStatus] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const topics = channels.filter((c) => c.properties.channelType !== "PartnerDestination");
  const chosen = topics.find((c) => c.name === channel) || topics[0];
  const send = async (e) => {
    e.preventDefault();
    setError(null);
    setStatus("");
    setBusy(true);
    try {
      let parsed;
      try {
        parsed = data.trim() ? JSON.parse(data) : undefined;
      } catch (err) {
        throw Object.assign(new Error(`Data is not JSON: ${err.message}`), { code: "InvalidInput" });
      }
      const info = (chosen && chosen.properties.partnerTopicInfo) || {};
      const event = { specversion: "1.0", id: newId(), source: info.source || `console/${namespace.name}`, type };
      if (subject.trim()) event.subject = subject.trim();
      if (parsed !== undefined) event.data = parsed;
      const keys = await post(at(namespace.id, "listKeys"));
      const header = namespace.properties.partnerTopicRoutingMode === "ChannelNameHeader" && chosen ? chosen.name : undefined;
      await publish(namespace.properties.endpoint, keys.key1, [event], header);
      setStatus(`Sent event ${event.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="form" onSubmit=${send} aria-label="Send test event">
    <${Select} label="Channel" value=${chosen ? chosen.name : ""} onChange=${setChannel}
      options=${topics.map((c) => c.name)} />
    <${Field} label="Event type" value=${type} onInput=${setType} required />
    <${Field} label="Subject" value=${subject} onInput=${setSubject} />
    <div class="field">
      <label for=${`${id}-data`}>Data (JSON)</label>
      <textarea id=${`${id}-data`} rows="4" value=${data} onInput=${(e) => setData(e.currentTarget.value)}></textarea>
    </div>
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${busy || !chosen}>Send test event</button>
      <${ErrorNote} error=${error} />
      <${Status} text=${status} />
    </div>
  </form>`;
}

export function NamespaceDetail({ id }) {
  const [namespace, setNamespace] = useState(null);
  const [error, setError] = useState(null);
  const [reload, setReload] = useState(0);
  // The channels the table shows (on every load, poll and `Load more`), for `Send test event`.
  const [channels, setChannels] = useState([]);
  useEffect(() => {
    get(id).then(setNamespace, setError);
  }, [id]);
  usePageTitle(namespace ? `Namespace ${namespace.name}` : error ? "Namespace not found" : null);
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!namespace) return html`<p class="muted">Loading…</p>`;
  const p = namespace.properties;
  return html`<div>
    <p><a href="#/namespaces">← Namespaces</a></p>
    <h1>Namespace ${namespace.name}</h1>
    <${Section} title="Endpoint and keys" id="ns-keys">
      <dl class="facts">
        <dt>Endpoint</dt><dd><code>${p.endpoint}</code></dd>
        <dt>Routing mode</dt><dd>${p.partnerTopicRoutingMode}</dd>
        <dt>Local auth</dt><dd>${p.disableLocalAuth ? "disabled" : "enabled"}</dd>
      </dl>
      <${Keys} id=${namespace.id} name=${namespace.name} />
    <//>
    <${Section} title="Channels" id="channels" onRefresh=${() => setReload((n) => n + 1)}>
      <${Paged} path=${at(id, "channels")} reload=${reload} poll=${5000} label="channels" empty="No channels yet."
        onItems=${setChannels}
        render=${(items) => html`<table>
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Customer</th><th scope="col">Creates</th>
            <th scope="col">Message for activation</th><th scope="col">Readiness</th><th scope="col">Time left to activate</th><th scope="col">Actions</th></tr></thead>
          <tbody>${items.map((c) => {
            const cp = c.properties;
            const info = cp.partnerTopicInfo || cp.partnerDestinationInfo || {};
            return html`<tr key=${c.id}>
              <th scope="row">${c.name}</th><td>${cp.channelType}</td>
              <td><code class="small">${info.azureSubscriptionId}</code><div class="small">${info.resourceGroupName}</div></td>
              <td>${info.name}${info.source ? html`<div class="muted small">${info.source}</div>` : ""}</td>
              <td>${cp.messageForActivation || ""}</td>
              <td><${State} value=${cp.readinessState} /></td>
              <td>${cp.readinessState === "NeverActivated" ? timeLeft(cp.expirationTimeIfNotActivatedUtc) : "—"}</td>
              <td><${ConfirmButton} label="Delete" what=${c.name} onConfirm=${async () => { await del(c.id); setReload((n) => n + 1); }} /></td>
            </tr>`;
          })}</tbody>
        </table>`} />
    <//>
    <${Section} title="New channel" id="channel-new">
      <${ChannelForm} namespace=${namespace} onCreated=${() => setReload((n) => n + 1)} />
    <//>
    <${Section} title="Send test event" id="send">
      <p class="muted">Publishes one CloudEvent to the endpoint with the namespace's key 1.</p>
      <${SendTestEvent} namespace=${namespace} channels=${channels} />
    <//>
  </div>`;
}
