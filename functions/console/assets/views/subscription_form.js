// The event subscription editor: destination (WebHook with batching, a partner destination or
// an AWS target), event types, subject filters, advanced filters, retry policy, labels and
// expiry. Creates with PUT, edits with PATCH (an empty endpoint URL keeps the stored one).

import { html, useState, Field, Form, Select, Check, splitList } from "../components.js";
import { put, patch, at } from "../api.js";
import { AdvancedFilters, toFilter, fromFilter } from "./filters.js";

const TYPES = [
  ["WebHook", "Webhook"],
  ["PartnerDestination", "Partner destination"],
  ["SqsQueue", "AWS SQS queue"],
  ["SnsTopic", "AWS SNS topic"],
  ["EventBridgeBus", "AWS EventBridge bus"],
  ["KinesisStream", "AWS Kinesis stream"],
  ["LambdaFunction", "AWS Lambda function"],
];

/** The form's state from an existing subscription (or the defaults for a new one). */
function initial(existing) {
  const p = (existing && existing.properties) || {};
  const dest = p.destination || { endpointType: "WebHook", properties: {} };
  const dp = dest.properties || {};
  const filter = p.filter || {};
  const retry = p.retryPolicy || {};
  return {
    name: existing ? existing.name : "",
    endpointType: dest.endpointType || "WebHook",
    originalType: dest.endpointType || "WebHook",
    endpointUrl: "",
    resourceId: dp.resourceId || "",
    roleArn: dp.roleArn || "",
    maxEventsPerBatch: String(dp.maxEventsPerBatch || 1),
    preferredBatchSizeInKilobytes: String(dp.preferredBatchSizeInKilobytes || 64),
    eventTypes: (filter.includedEventTypes || []).join(", "),
    subjectBeginsWith: filter.subjectBeginsWith || "",
    subjectEndsWith: filter.subjectEndsWith || "",
    caseSensitive: Boolean(filter.isSubjectCaseSensitive),
    arrays: Boolean(filter.enableAdvancedFilteringOnArrays),
    advanced: (filter.advancedFilters || []).map(fromFilter),
    maxDeliveryAttempts: String(retry.maxDeliveryAttempts || 30),
    ttl: String(retry.eventTimeToLiveInMinutes || 1440),
    labels: (p.labels || []).join(", "),
    expiration: "",
    kept: dp,
  };
}

/** The destination as the API takes it; on an edit of the same type, what the form does not
 * show (delivery attribute mappings, payload signing, AWS settings) is sent back as read. */
function destination(s, editing) {
  const kept = editing && s.endpointType === s.originalType ? { ...s.kept } : {};
  delete kept.endpointBaseUrl;
  if (s.endpointType === "WebHook") {
    const props = {
      ...kept,
      maxEventsPerBatch: Number(s.maxEventsPerBatch),
      preferredBatchSizeInKilobytes: Number(s.preferredBatchSizeInKilobytes),
    };
    if (s.endpointUrl.trim()) props.endpointUrl = s.endpointUrl.trim();
    return { endpointType: "WebHook", properties: props };
  }
  if (s.endpointType === "PartnerDestination") {
    return { endpointType: "PartnerDestination", properties: { resourceId: s.resourceId.trim() } };
  }
  const props = { ...kept, resourceId: s.resourceId.trim() };
  if (s.roleArn.trim()) props.roleArn = s.roleArn.trim();
  else delete props.roleArn;
  return { endpointType: s.endpointType, properties: props };
}

function body(s, editing) {
  const filter = {
    includedEventTypes: splitList(s.eventTypes),
    isSubjectCaseSensitive: s.caseSensitive,
    enableAdvancedFilteringOnArrays: s.arrays,
    advancedFilters: s.advanced.map(toFilter),
  };
  if (filter.includedEventTypes.length === 0) delete filter.includedEventTypes;
  if (s.subjectBeginsWith) filter.subjectBeginsWith = s.subjectBeginsWith;
  if (s.subjectEndsWith) filter.subjectEndsWith = s.subjectEndsWith;
  const properties = {
    destination: destination(s, editing),
    filter,
    retryPolicy: {
      maxDeliveryAttempts: Number(s.maxDeliveryAttempts),
      eventTimeToLiveInMinutes: Number(s.ttl),
    },
    labels: splitList(s.labels),
    eventDeliverySchema: "CloudEventSchemaV1_0",
  };
  if (s.expiration) properties.expirationTimeUtc = new Date(s.expiration).toISOString();
  return { properties };
}

/** Throws an error shaped like the API's, for what the form itself finds wrong. */
function invalid(message) {
  const e = new Error(message);
  e.code = "InvalidInput";
  throw e;
}

/**
 * Creates an event subscription on `topicId`, or edits `existing`; `onSaved(subscription)`
 * after the API accepted it. A failed webhook handshake comes back as the API's 400
 * (`WebhookValidationFailed` and what the endpoint answered), shown beside the button.
 */
export function SubscriptionForm({ topicId, existing, onSaved }) {
  const [s, setS] = useState(initial(existing));
  const set = (field) => (value) => setS((before) => ({ ...before, [field]: value }));
  const editing = Boolean(existing);
  const save = async () => {
    let request;
    try {
      request = body(s, editing);
    } catch (e) {
      invalid(e.message);
    }
    if (!editing && !s.name.trim()) invalid("the subscription needs a name");
    if (!editing && s.endpointType === "WebHook" && !s.endpointUrl.trim()) invalid("the webhook needs an endpoint URL");
    const saved = editing
      ? await patch(existing.id, request)
      : await put(at(topicId, "eventSubscriptions", s.name.trim()), request);
    onSaved(saved);
    return saved;
  };
  const webhook = s.endpointType === "WebHook";
  const aws = !webhook && s.endpointType !== "PartnerDestination";
  return html`<${Form} title=${editing ? `Edit ${existing.name}` : undefined}
      submit=${editing ? "Save subscription" : "Create subscription"} onSubmit=${save}
      done=${(x) => `${x.name} saved`}>
    ${!editing && html`<${Field} label="Subscription name" value=${s.name} onInput=${set("name")} required />`}
    <fieldset>
      <legend>Destination</legend>
      <${Select} label="Endpoint type" value=${s.endpointType} onChange=${set("endpointType")} options=${TYPES} />
      ${webhook && html`
        <${Field} label="Endpoint URL" type="url" value=${s.endpointUrl} onInput=${set("endpointUrl")}
          hint=${editing ? `Stored: ${s.kept.endpointBaseUrl || "—"} (query hidden). Leave empty to keep it.` : "It must answer the validation handshake (OPTIONS with WebHook-Request-Origin)."} />
        <${Field} label="Max events per batch" type="number" min="1" max="5000" value=${s.maxEventsPerBatch} onInput=${set("maxEventsPerBatch")} />
        <${Field} label="Preferred batch size (KB)" type="number" min="1" max="1024" value=${s.preferredBatchSizeInKilobytes} onInput=${set("preferredBatchSizeInKilobytes")} />`}
      ${!webhook && html`<${Field} label=${aws ? "Resource ARN" : "Partner destination resource id"} value=${s.resourceId} onInput=${set("resourceId")} required />`}
      ${aws && html`<${Field} label="Role ARN" value=${s.roleArn} onInput=${set("roleArn")} hint="Optional: a role in your bound AWS account to assume" />`}
    </fieldset>
    <fieldset>
      <legend>Filters</legend>
      <${Field} label="Event types" value=${s.eventTypes} onInput=${set("eventTypes")} hint="Comma-separated; empty means all" />
      <${Field} label="Subject begins with" value=${s.subjectBeginsWith} onInput=${set("subjectBeginsWith")} />
      <${Field} label="Subject ends with" value=${s.subjectEndsWith} onInput=${set("subjectEndsWith")} />
      <${Check} label="Subject comparison is case-sensitive" checked=${s.caseSensitive} onChange=${set("caseSensitive")} />
      <${Check} label="Advanced filters look into arrays" checked=${s.arrays} onChange=${set("arrays")} />
      <${AdvancedFilters} rows=${s.advanced} onChange=${set("advanced")} />
    </fieldset>
    <fieldset>
      <legend>Delivery</legend>
      <${Field} label="Max delivery attempts" type="number" min="1" max="30" value=${s.maxDeliveryAttempts} onInput=${set("maxDeliveryAttempts")} />
      <${Field} label="Event time to live (minutes)" type="number" min="1" max="1440" value=${s.ttl} onInput=${set("ttl")} />
      <${Field} label="Labels" value=${s.labels} onInput=${set("labels")} hint="Comma-separated" />
      <${Field} label="Expires" type="datetime-local" value=${s.expiration} onInput=${set("expiration")} hint="Optional" />
    </fieldset>
  <//>`;
}
