// Shared pieces: error notes, buttons that show their own error, masked keys, paged lists, form
// fields and a few formatters.

import { html, useState, useEffect, useCallback, useRef } from "./vendor/htm-preact-standalone.module.js";
import { page } from "./api.js";

export { html, useState, useEffect, useCallback, useRef };

let counter = 0;
/** A unique id for label/input pairs. */
export function useId(prefix = "f") {
  const ref = useRef(null);
  if (ref.current === null) {
    counter += 1;
    ref.current = `${prefix}-${counter}`;
  }
  return ref.current;
}

/** Sets the tab's title to `title` (when given), e.g. once a detail page has its heading. */
export function usePageTitle(title) {
  useEffect(() => {
    if (title) document.title = `${title} · Partner Events`;
  }, [title]);
}

/** An API error as the API gave it: `code: message`, announced to screen readers. */
export function ErrorNote({ error, id }) {
  if (!error) return null;
  const code = error.code || "Error";
  return html`<p class="error" role="alert" id=${id}>
    <strong class="error-code">${code}</strong>: <span class="error-message">${error.message}</span>
  </p>`;
}

/** A polite live region for status changes ("Activated", "Saved", ...). */
export function Status({ text }) {
  return html`<p class="status" role="status" aria-live="polite">${text || ""}</p>`;
}

/**
 * A hook around one async action: `[run, busy, error, clear]`. `run(...args)` calls `fn`,
 * keeps the error it throws (shown by the caller next to its control) and resolves to its
 * result, or undefined when it failed.
 */
export function useAction(fn) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = useCallback(
    async (...args) => {
      setBusy(true);
      setError(null);
      try {
        return await fn(...args);
      } catch (e) {
        setError(e);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [fn],
  );
  return [run, busy, error, () => setError(null)];
}

/**
 * A button running `onClick` (async); its error is shown right beside it. `label` is the
 * visible text and accessible name unless `aria` (an aria-label) is given.
 */
export function ActionButton({ label, onClick, aria, kind = "", disabled = false, confirm }) {
  const [run, busy, error] = useAction(onClick);
  const click = () => {
    if (confirm && !window.confirm(confirm)) return;
    run();
  };
  return html`<span class="action">
    <button type="button" class=${kind} aria-label=${aria} disabled=${busy || disabled} onClick=${click}>
      ${label}
    </button>
    <${ErrorNote} error=${error} />
  </span>`;
}

/**
 * A secret shown as dots until `Reveal` is pressed: `load()` is called then (the secret is
 * never in the page before), and `Hide` forgets it again.
 */
export function Masked({ load, label }) {
  const [value, setValue] = useState(null);
  const [copied, setCopied] = useState("");
  const [run, busy, error] = useAction(async () => setValue(await load()));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("Copied");
    } catch {
      setCopied("Copy failed: select the key and copy it");
    }
  };
  return html`<span class="masked">
    ${value === null
      ? html`<span class="visually-hidden">${label} (hidden)</span><span class="dots" aria-hidden="true">••••••</span>
          <button type="button" aria-label=${`Reveal ${label}`} disabled=${busy} onClick=${() => run()}>Reveal</button>`
      : html`<span class="visually-hidden">${label}: </span><code class="secret">${value}</code>
          <button type="button" aria-label=${`Copy ${label}`} onClick=${copy}>Copy</button>
          <button type="button" aria-label=${`Hide ${label}`} onClick=${() => { setValue(null); setCopied(""); }}>Hide</button>
          <span class="status" role="status">${copied}</span>`}
    <${ErrorNote} error=${error} />
  </span>`;
}

/**
 * A listing at `path`, one page at a time: `render(items)` draws what is loaded so far, and
 * `Load more` follows `nextLink` (pages of PAGE_SIZE). Reloads when `path` or `reload` changes,
 * and every `poll` milliseconds when given: a poll reads the first page again and merges it
 * by `id` into what is loaded, keeping the pages the user loaded beyond it (and their
 * `Load more`). `onItems(items)` hears every change of the loaded items.
 */
export const PAGE_SIZE = 50;

/** What identifies a listed item across reads. */
const itemKey = (item) => (item && (item.id || item.name)) || JSON.stringify(item);

export function Paged({ path: bare, render, empty = "None yet.", reload = 0, label = "items", poll = 0, onItems }) {
  const path = /[?&]\$top=/.test(bare) ? bare : `${bare}${bare.includes("?") ? "&" : "?"}$top=${PAGE_SIZE}`;
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);
  // Which read is current (answers of an older path or reload are dropped) and how many
  // pages are loaded.
  const epoch = useRef(0);
  const pages = useRef(0);
  const load = async (mode, continuation) => {
    const mine = epoch.current;
    if (mode !== "poll") setLoading(true);
    try {
      const got = await page(path, continuation);
      if (mine !== epoch.current) return;
      if (mode === "more") {
        pages.current += 1;
        setItems((before) => {
          const have = new Set((before || []).map(itemKey));
          return [...(before || []), ...got.value.filter((x) => !have.has(itemKey(x)))];
        });
        setNext(got.nextLink);
      } else if (mode === "poll" && pages.current > 1) {
        // The first page again, merged by id: its items (fresh) first, then every loaded item
        // it does not hold; the later pages' nextLink stays. (An item deleted elsewhere stays
        // listed until Refresh: it cannot be told from one pushed to a later page.)
        const fresh = new Set(got.value.map(itemKey));
        setItems((loaded) => [...got.value, ...(loaded || []).filter((x) => !fresh.has(itemKey(x)))]);
      } else {
        pages.current = 1;
        setItems(got.value);
        setNext(got.nextLink);
      }
      setError(null);
    } catch (e) {
      if (mine === epoch.current) setError(e);
    } finally {
      if (mode !== "poll" && mine === epoch.current) setLoading(false);
    }
  };
  useEffect(() => {
    epoch.current += 1;
    pages.current = 0;
    setItems(null);
    setNext(null);
    load("first", null);
    if (!poll) return undefined;
    const timer = window.setInterval(() => load("poll", null), poll);
    return () => window.clearInterval(timer);
  }, [path, reload, poll]);
  useEffect(() => {
    if (onItems) onItems(items || []);
  }, [items]);
  return html`<div class="paged">
    <${ErrorNote} error=${error} />
    ${items === null
      ? html`<p class="muted">Loading ${label}…</p>`
      : items.length === 0
        ? html`<p class="muted">${empty}</p>`
        : render(items)}
    ${next &&
    html`<button type="button" disabled=${loading} aria-label=${`Load more ${label}`} onClick=${() => load("more", next)}>
      Load more
    </button>`}
  </div>`;
}

/** A labelled input. `value`/`onInput` as for <input>; `hint` is described-by text. */
export function Field({ label, value, onInput, type = "text", required = false, placeholder, hint, min, max, name }) {
  const id = useId("field");
  const hintId = hint ? `${id}-hint` : undefined;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <input id=${id} name=${name} type=${type} value=${value} required=${required} placeholder=${placeholder}
      min=${min} max=${max} aria-describedby=${hintId} onInput=${(e) => onInput(e.currentTarget.value)} />
    ${hint && html`<small id=${hintId} class="hint">${hint}</small>`}
  </div>`;
}

/** A labelled <select> of `options` ([value, text] pairs or plain strings). */
export function Select({ label, value, onChange, options }) {
  const id = useId("select");
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <select id=${id} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${options.map((o) => {
        const [v, t] = Array.isArray(o) ? o : [o, o];
        return html`<option value=${v} selected=${v === value}>${t}</option>`;
      })}
    </select>
  </div>`;
}

/** A labelled checkbox. */
export function Check({ label, checked, onChange }) {
  const id = useId("check");
  return html`<div class="field check">
    <input id=${id} type="checkbox" checked=${checked} onChange=${(e) => onChange(e.currentTarget.checked)} />
    <label for=${id}>${label}</label>
  </div>`;
}

/**
 * A form whose submit button (`submit`, its accessible name) runs `onSubmit` (async); the
 * API's error is shown beside the button. Resets nothing: the caller clears its own state.
 */
export function Form({ title, submit, onSubmit, children, done }) {
  const [run, busy, error] = useAction(onSubmit);
  const [status, setStatus] = useState("");
  const submitted = async (e) => {
    e.preventDefault();
    setStatus("");
    const result = await run();
    if (result !== undefined && done) setStatus(typeof done === "function" ? done(result) : done);
  };
  return html`<form class="form" onSubmit=${submitted} aria-label=${title || submit}>
    ${title && html`<h4>${title}</h4>`}
    ${children}
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${busy}>${submit}</button>
      <${ErrorNote} error=${error} />
      <${Status} text=${status} />
    </div>
  </form>`;
}

/** A section with a heading and a Refresh button that bumps `onRefresh`. */
export function Section({ title, children, onRefresh, id }) {
  return html`<section class="card" aria-labelledby=${id}>
    <div class="card-head">
      <h3 id=${id}>${title}</h3>
      ${onRefresh && html`<button type="button" aria-label=${`Refresh ${title}`} onClick=${onRefresh}>Refresh</button>`}
    </div>
    ${children}
  </section>`;
}

/** "3 d 4 h left", "12 min left" or "expired", until `iso`. */
export function timeLeft(iso, now = Date.now()) {
  if (!iso) return "";
  const ms = Date.parse(iso) - now;
  if (Number.isNaN(ms)) return "";
  if (ms <= 0) return "expired";
  const minutes = Math.floor(ms / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days} d ${hours} h left`;
  if (hours > 0) return `${hours} h ${minutes % 60} min left`;
  return `${Math.max(minutes, 1)} min left`;
}

/** A time as the reader's locale shows it, with the RFC 3339 value as its machine form. */
export function When({ iso }) {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime=${iso}>${new Date(iso).toLocaleString()}</time>`;
}

/** A state (Activated, NeverActivated, Paused, ...) as a badge with the API's exact value. */
export function State({ value }) {
  return html`<span class=${`badge state-${String(value || "").toLowerCase()}`}>${value || "—"}</span>`;
}

/** Splits a comma- or newline-separated list, dropping blanks. */
export function splitList(text) {
  return String(text || "")
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A random-enough id for a test event. */
export function newId() {
  return window.crypto.randomUUID ? window.crypto.randomUUID() : String(Date.now());
}

/**
 * A destructive button that asks first, in place: `label` (e.g. `Delete`), then `Confirm` and
 * `Cancel`. `what` names the thing in the buttons' accessible names (`Delete orders`,
 * `Confirm delete orders`, `Cancel delete orders`); the visible text stays `label`. Pressing
 * `label` moves focus to the confirm button; `Cancel` (or Escape) returns it to `label`.
 */
export function ConfirmButton({ label, what, onConfirm }) {
  const [asking, setAsking] = useState(false);
  const first = useRef(null);
  const confirm = useRef(null);
  const moved = useRef(false);
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    const target = asking ? confirm.current && confirm.current.querySelector("button") : first.current;
    if (target) target.focus();
  }, [asking]);
  const ask = (on) => {
    moved.current = true;
    setAsking(on);
  };
  const verb = label.toLowerCase();
  if (!asking) {
    return html`<button type="button" class="danger" ref=${first} aria-label=${what ? `${label} ${what}` : undefined}
      onClick=${() => ask(true)}>${label}</button>`;
  }
  return html`<span class="confirm" ref=${confirm} onKeyDown=${(e) => { if (e.key === "Escape") ask(false); }}>
    <${ActionButton} label=${`Confirm ${verb}`} aria=${what ? `Confirm ${verb} ${what}` : undefined} kind="danger"
      onClick=${async () => { await onConfirm(); setAsking(false); }} />
    <button type="button" aria-label=${what ? `Cancel ${verb} ${what}` : undefined} onClick=${() => ask(false)}>Cancel</button>
  </span>`;
}
