// The advanced-filter editor of an event subscription: every operator Event Grid has, each
// row an operator, a key and its value(s), converted to and from Azure's JSON shape.

import { html, useId } from "../components.js";

/** Every operatorType, with how its value is written. */
export const OPERATORS = [
  ["NumberIn", "numbers"],
  ["NumberNotIn", "numbers"],
  ["NumberLessThan", "number"],
  ["NumberGreaterThan", "number"],
  ["NumberLessThanOrEquals", "number"],
  ["NumberGreaterThanOrEquals", "number"],
  ["NumberInRange", "ranges"],
  ["NumberNotInRange", "ranges"],
  ["BoolEquals", "bool"],
  ["StringIn", "strings"],
  ["StringNotIn", "strings"],
  ["StringBeginsWith", "strings"],
  ["StringEndsWith", "strings"],
  ["StringContains", "strings"],
  ["StringNotBeginsWith", "strings"],
  ["StringNotEndsWith", "strings"],
  ["StringNotContains", "strings"],
  ["IsNullOrUndefined", "none"],
  ["IsNotNull", "none"],
];

const shapeOf = (op) => (OPERATORS.find(([o]) => o === op) || [op, "strings"])[1];

const HINTS = {
  numbers: "Numbers, comma-separated: 1, 2.5",
  number: "One number",
  ranges: "Ranges lo..hi, comma-separated: 1..5, 10..20",
  bool: "true or false",
  strings: "One value per line (a value may hold commas)",
  none: "No value",
};

/** The values of a row's text: strings one per line (they may hold commas), numbers and
 * ranges separated by commas or lines. */
const split = (text, shape = "numbers") =>
  String(text)
    .split(shape === "strings" ? /\r?\n/ : /[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** Values back into a row's text, as `split` reads them for `shape`. */
const join = (values, shape) => values.join(shape === "strings" ? "\n" : ", ");

/** A row ({operatorType, key, text}) as the API's filter object; throws on a bad value. */
export function toFilter(row) {
  const { operatorType, key } = row;
  const text = row.text || "";
  const filter = { operatorType, key: key.trim() };
  const number = (s) => {
    const n = Number(s);
    if (s === "" || Number.isNaN(n)) throw new Error(`${operatorType} on '${key}': '${s}' is not a number`);
    return n;
  };
  switch (shapeOf(operatorType)) {
    case "numbers": filter.values = split(text).map(number); break;
    case "number": filter.value = number(text.trim()); break;
    case "ranges":
      filter.values = split(text).map((r) => {
        const [lo, hi] = r.split("..").map((s) => s.trim());
        return [number(lo), number(hi === undefined ? "" : hi)];
      });
      break;
    case "bool": filter.value = text.trim().toLowerCase() === "true"; break;
    case "strings": filter.values = split(text, "strings"); break;
    default: break;
  }
  return filter;
}

/** The API's filter object as an editable row (`toFilter` of it gives the same filter back). */
export function fromFilter(filter) {
  let text = "";
  if (Array.isArray(filter.values)) {
    const shape = shapeOf(filter.operatorType);
    text = join(filter.values.map((v) => (Array.isArray(v) ? `${v[0]}..${v[1]}` : String(v))), shape);
  } else if (filter.value !== undefined) {
    text = String(filter.value);
  }
  return { operatorType: filter.operatorType, key: filter.key || "", text };
}

const LISTS = ["numbers", "ranges", "strings"];

/** `row` with another operator; list values are rewritten for the new operator's separator. */
function withOperator(row, operatorType) {
  const from = shapeOf(row.operatorType);
  const to = shapeOf(operatorType);
  const text = from !== to && LISTS.includes(from) && LISTS.includes(to) ? join(split(row.text || "", from), to) : row.text;
  return { ...row, operatorType, text };
}

function Row({ row, index, onChange, onRemove }) {
  const id = useId("adv");
  const shape = shapeOf(row.operatorType);
  const n = index + 1;
  return html`<fieldset class="adv-row">
    <legend>Advanced filter ${n}</legend>
    <div class="field">
      <label for=${`${id}-key`}>Key</label>
      <input id=${`${id}-key`} value=${row.key} placeholder="data.total" required
        onInput=${(e) => onChange({ ...row, key: e.currentTarget.value })} />
    </div>
    <div class="field">
      <label for=${`${id}-op`}>Operator</label>
      <select id=${`${id}-op`} value=${row.operatorType} onChange=${(e) => onChange(withOperator(row, e.currentTarget.value))}>
        ${OPERATORS.map(([op]) => html`<option value=${op} selected=${op === row.operatorType}>${op}</option>`)}
      </select>
    </div>
    ${shape === "bool"
      ? html`<div class="field">
          <label for=${`${id}-val`}>Value</label>
          <select id=${`${id}-val`} value=${row.text || "true"} onChange=${(e) => onChange({ ...row, text: e.currentTarget.value })}>
            <option value="true" selected=${row.text !== "false"}>true</option>
            <option value="false" selected=${row.text === "false"}>false</option>
          </select>
        </div>`
      : shape !== "none" &&
        html`<div class="field">
          <label for=${`${id}-val`}>${shape === "number" ? "Value" : "Values"}</label>
          ${shape === "strings"
            ? html`<textarea id=${`${id}-val`} rows=${Math.max(2, split(row.text, "strings").length + 1)} value=${row.text}
                aria-describedby=${`${id}-hint`} onInput=${(e) => onChange({ ...row, text: e.currentTarget.value })}></textarea>`
            : html`<input id=${`${id}-val`} value=${row.text} aria-describedby=${`${id}-hint`}
                onInput=${(e) => onChange({ ...row, text: e.currentTarget.value })} />`}
          <small id=${`${id}-hint`} class="hint">${HINTS[shape]}</small>
        </div>`}
    <button type="button" aria-label=${`Remove advanced filter ${n}`} onClick=${onRemove}>Remove</button>
  </fieldset>`;
}

/** The list of advanced-filter rows, with `Add advanced filter`. */
export function AdvancedFilters({ rows, onChange }) {
  const set = (i, row) => onChange(rows.map((r, j) => (j === i ? row : r)));
  const remove = (i) => onChange(rows.filter((_, j) => j !== i));
  return html`<div class="advanced">
    ${rows.map((row, i) => html`<${Row} key=${i} row=${row} index=${i} onChange=${(r) => set(i, r)} onRemove=${() => remove(i)} />`)}
    <button type="button" onClick=${() => onChange([...rows, { operatorType: "StringIn", key: "", text: "" }])}>
      Add advanced filter
    </button>
  </div>`;
}
