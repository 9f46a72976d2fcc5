"""A customer topic with Azure's own SDKs: azure-mgmt-eventgrid creates the topic, reads and
rotates its keys and subscribes a webhook; azure-eventgrid publishes to it with a key and with a
SAS token.

Usage: topics.py BASE_URL CUSTOMER_KEY CUSTOMER_SUB WEBHOOK_URL
"""

import datetime
import sys

from azure.core.credentials import AzureKeyCredential, AzureSasCredential
from azure.core.messaging import CloudEvent
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.eventgrid import EventGridPublisherClient, generate_sas
from azure.mgmt.eventgrid import EventGridManagementClient
from azure.mgmt.eventgrid import models as m

base, customer_key, customer_sub, webhook = sys.argv[1:5]


class BearerKey(SansIOHTTPPolicy):
    def __init__(self, key):
        self.key = key

    def on_request(self, request):
        request.http_request.headers["Authorization"] = f"Bearer {self.key}"


customer = EventGridManagementClient(
    credential=object(), subscription_id=customer_sub, base_url=base, authentication_policy=BearerKey(customer_key)
)
rg, name = "sdk-topics-rg", "sdk-orders-" + customer_sub[:8]

topic = customer.topics.begin_create_or_update(
    rg, name, m.Topic(location="global", input_schema="CloudEventSchemaV1_0", tags={"via": "sdk"})
).result()
assert topic.endpoint == f"{base}/topics/{name}/api/events", topic.endpoint
assert topic.input_schema == "CloudEventSchemaV1_0" and topic.provisioning_state == "Succeeded", topic
assert [t.name for t in customer.topics.list_by_resource_group(rg)] == [name]
assert name in [t.name for t in customer.topics.list_by_subscription()]

keys = customer.topics.list_shared_access_keys(rg, name)
rotated = customer.topics.begin_regenerate_key(rg, name, m.TopicRegenerateKeyRequest(key_name="key1")).result()
assert rotated.key2 == keys.key2 and rotated.key1 != keys.key1

subscription = customer.topic_event_subscriptions.begin_create_or_update(
    rg,
    name,
    "sdk-hook",
    m.EventSubscription(
        destination=m.WebHookEventSubscriptionDestination(endpoint_url=webhook, max_events_per_batch=10),
        event_delivery_schema="CloudEventSchemaV1_0",
    ),
).result()
assert subscription.provisioning_state == "Succeeded", subscription
assert customer.topic_event_subscriptions.get_full_url(rg, name, "sdk-hook").endpoint_url == webhook
assert [s.name for s in customer.topic_event_subscriptions.list(rg, name)] == ["sdk-hook"]


def events(prefix, n):
    return [CloudEvent(source="contoso/orders", type="Order.Created", data={"n": i}, id=f"{prefix}-{i}") for i in range(n)]


EventGridPublisherClient(topic.endpoint, AzureKeyCredential(rotated.key2)).send(events("key", 3))
expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
sas = generate_sas(topic.endpoint, rotated.key1, expiry)
EventGridPublisherClient(topic.endpoint, AzureSasCredential(sas)).send(events("sas", 2))
try:
    EventGridPublisherClient(topic.endpoint, AzureKeyCredential(keys.key1)).send(events("old", 1))
    raise AssertionError("a regenerated key must be refused")
except Exception as e:
    assert getattr(e, "status_code", None) == 401, e
print("azure sdks on a customer topic: ok")
