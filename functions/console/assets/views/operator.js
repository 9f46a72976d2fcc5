// The operator's pages: principals (create, showing the new key once; bound AWS accounts;
// revoke) and verified partners (the gallery customers pick from).

import {
  html, useState, ConfirmButton, Paged, Field, Form, Section, Status, splitList,
} from "../components.js";
import { post, put, patch, del } from "../api.js";

/** The key of a principal just created: shown once, with a copy button, until dismissed. */
function NewKey({ created, onDismiss }) {
  const [copied, setCopied] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("Copied");
    } catch {
      setCopied("Copy failed: select the key and copy it");
    }
  };
  return html`<div class="new-key" role="region" aria-label="New principal key">
    <p><strong>Key of ${created.name}</strong>: shown only now. Hand it to the tenant; it cannot be read again.</p>
    <span class="visually-hidden">Key of ${created.name}: </span><code class="secret">${created.key}</code>
    <button type="button" aria-label=${`Copy key of ${created.name}`} onClick=${copy}>Copy</button>
    <button type="button" onClick=${onDismiss}>Done</button>
    <span role="status">${copied}</span>
  </div>`;
}

/** The AWS accounts bound to a principal, and an editor behind `Edit`. */
function AwsAccounts({ principal, onSaved }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState((principal.awsAccounts || []).join(", "));
  const [bound, setBound] = useState(principal.awsAccounts || []);
  const save = async () => {
    const changed = await patch(`/admin/principals/${encodeURIComponent(principal.name)}`, { awsAccounts: splitList(text) });
    setBound(changed.awsAccounts || []);
    setOpen(false);
    onSaved(`AWS accounts of ${principal.name} saved`);
    return changed;
  };
  return html`<div>
    ${bound.length ? bound.map((a) => html`<div><code class="small">${a}</code></div>`) : html`<span class="muted">none</span>`}
    ${open
      ? html`<${Form} submit="Save AWS accounts" onSubmit=${save}>
          <${Field} label=${`AWS accounts of ${principal.name}`} value=${text} onInput=${setText} hint="12-digit account ids, comma-separated; empty unbinds all" />
        <//>`
      : html`<button type="button" aria-label=${`Edit AWS accounts of ${principal.name}`} onClick=${() => setOpen(true)}>Edit</button>`}
  </div>`;
}

export function Principals() {
  const [reload, setReload] = useState(0);
  const [status, setStatus] = useState("");
  const [created, setCreated] = useState(null);
  const [name, setName] = useState("");
  const [subs, setSubs] = useState("");
  const [accounts, setAccounts] = useState("");
  const changed = (text) => {
    setStatus(text);
    setReload((n) => n + 1);
  };
  const create = async () => {
    const body = { name: name.trim(), subscriptions: splitList(subs) };
    const aws = splitList(accounts);
    if (aws.length) body.awsAccounts = aws;
    const made = await post("/admin/principals", body);
    setCreated(made);
    setName("");
    setSubs("");
    setAccounts("");
    changed(`Principal ${made.name} created`);
    return made;
  };
  return html`<div>
    <h1>Principals</h1>
    <p class="muted">One principal per tenant: it owns subscription ids, and its key signs the tenant's calls.</p>
    <${Status} text=${status} />
    ${created && html`<${NewKey} created=${created} onDismiss=${() => setCreated(null)} />`}
    <${Section} title="Principals" id="principals" onRefresh=${() => setReload((n) => n + 1)}>
      <${Paged} path="/admin/principals" reload=${reload} label="principals" empty="No principals yet."
        render=${(items) => html`<table>
          <thead><tr><th scope="col">Name</th><th scope="col">Subscriptions</th><th scope="col">AWS accounts</th><th scope="col">Actions</th></tr></thead>
          <tbody>${items.map((p) => html`<tr key=${p.name}>
            <th scope="row">${p.name}</th>
            <td>${(p.subscriptions || []).map((s) => html`<div><code class="small">${s}</code></div>`)}</td>
            <td><${AwsAccounts} principal=${p} onSaved=${setStatus} /></td>
            <td><${ConfirmButton} label="Revoke" what=${p.name}
              onConfirm=${async () => { await del(`/admin/principals/${encodeURIComponent(p.name)}`); changed(`Principal ${p.name} revoked`); }} /></td>
          </tr>`)}</tbody>
        </table>`} />
    <//>
    <${Section} title="New principal" id="principal-new">
      <${Form} submit="Create principal" onSubmit=${create}>
        <${Field} label="Principal name" value=${name} onInput=${setName} required hint="1-64 letters, digits, - _ ." />
        <${Field} label="Subscription ids" value=${subs} onInput=${setSubs} required hint="UUIDs, comma-separated" />
        <${Field} label="AWS accounts" value=${accounts} onInput=${setAccounts} hint="Optional" />
      <//>
    <//>
  </div>`;
}

export function VerifiedPartners() {
  const [reload, setReload] = useState(0);
  const [status, setStatus] = useState("");
  const empty = { name: "", immutableId: "", organization: "", display: "", description: "", setupUri: "" };
  const [v, setV] = useState(empty);
  const set = (field) => (value) => setV((before) => ({ ...before, [field]: value }));
  const save = async () => {
    const details = {};
    if (v.description.trim()) details.description = v.description.trim();
    if (v.setupUri.trim()) details.setupUri = v.setupUri.trim();
    const saved = await put(`/admin/verifiedPartners/${encodeURIComponent(v.name.trim())}`, {
      properties: {
        partnerRegistrationImmutableId: v.immutableId.trim(),
        organizationName: v.organization.trim(),
        partnerDisplayName: v.display.trim(),
        partnerTopicDetails: details,
      },
    });
    setV(empty);
    setStatus(`Verified partner ${saved.name} saved`);
    setReload((n) => n + 1);
    return saved;
  };
  return html`<div>
    <h1>Verified partners</h1>
    <p class="muted">The gallery customers pick partners from when they authorize one.</p>
    <${Status} text=${status} />
    <${Section} title="Verified partners" id="verified" onRefresh=${() => setReload((n) => n + 1)}>
      <${Paged} path="/providers/Microsoft.EventGrid/verifiedPartners" reload=${reload} label="verified partners" empty="No verified partners yet."
        render=${(items) => html`<table>
          <thead><tr><th scope="col">Name</th><th scope="col">Display name</th><th scope="col">Organization</th><th scope="col">Registration</th><th scope="col">Actions</th></tr></thead>
          <tbody>${items.map((p) => html`<tr key=${p.name}>
            <th scope="row">${p.name}</th><td>${p.properties.partnerDisplayName}</td><td>${p.properties.organizationName}</td>
            <td><code class="small">${p.properties.partnerRegistrationImmutableId}</code></td>
            <td><${ConfirmButton} label="Delete" what=${p.name}
              onConfirm=${async () => { await del(`/admin/verifiedPartners/${encodeURIComponent(p.name)}`); setReload((n) => n + 1); }} /></td>
          </tr>`)}</tbody>
        </table>`} />
    <//>
    <${Section} title="Verify a partner" id="verify">
      <${Form} submit="Save verified partner" onSubmit=${save}>
        <${Field} label="Verified partner name" value=${v.name} onInput=${set("name")} required />
        <${Field} label="Registration immutable id" value=${v.immutableId} onInput=${set("immutableId")} required />
        <${Field} label="Organization name" value=${v.organization} onInput=${set("organization")} required />
        <${Field} label="Display name" value=${v.display} onInput=${set("display")} required />
        <${Field} label="Description" value=${v.description} onInput=${set("description")} />
        <${Field} label="Setup URI" type="url" value=${v.setupUri} onInput=${set("setupUri")} />
      <//>
    <//>
  </div>`;
}
