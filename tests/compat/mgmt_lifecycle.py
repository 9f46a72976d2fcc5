"""Drives the partner topic lifecycle with Azure's own management SDK (azure-mgmt-eventgrid).

Usage: mgmt_lifecycle.py BASE_URL PARTNER_KEY PARTNER_SUB CUSTOMER_KEY CUSTOMER_SUB WEBHOOK_URL
Exits non-zero (with a traceback) on the first thing that does not behave as Azure's does.
"""

import datetime
import sys

from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.eventgrid import EventGridManagementClient
from azure.mgmt.eventgrid import models as m

base, partner_key, partner_sub, customer_key, customer_sub, webhook = sys.argv[1:7]


class BearerKey(SansIOHTTPPolicy):
    def __init__(self, key):
        self.key = key

    def on_request(self, request):
        request.http_request.headers["Authorization"] = f"Bearer {self.key}"


def client(key, sub):
    return EventGridManagementClient(
        credential=object(), subscription_id=sub, base_url=base, authentication_policy=BearerKey(key)
    )


partner = client(partner_key, partner_sub)
customer = client(customer_key, customer_sub)
prg, crg = "sdk-partner-rg", "sdk-customer-rg"

registration = partner.partner_registrations.begin_create_or_update(
    prg, "sdk-partner", m.PartnerRegistration(location="global", tags={"via": "sdk"})
).result()
assert registration.partner_registration_immutable_id, registration
assert [r.name for r in partner.partner_registrations.list_by_subscription()] == ["sdk-partner"]

namespace = partner.partner_namespaces.begin_create_or_update(
    prg,
    "sdk-namespace",
    m.PartnerNamespace(
        location="global",
        partner_registration_fully_qualified_id=registration.id,
        partner_topic_routing_mode="ChannelNameHeader",
    ),
).result()
assert namespace.endpoint == f"{base}/partnerNamespaces/sdk-namespace/api/events", namespace.endpoint
assert namespace.partner_topic_routing_mode == "ChannelNameHeader"
keys = partner.partner_namespaces.list_shared_access_keys(prg, "sdk-namespace")
rotated = partner.partner_namespaces.regenerate_key(
    prg, "sdk-namespace", m.PartnerNamespaceRegenerateKeyRequest(key_name="key2")
)
assert rotated.key1 == keys.key1 and rotated.key2 != keys.key2
assert [n.name for n in partner.partner_namespaces.list_by_resource_group(prg)] == ["sdk-namespace"]

config = customer.partner_configurations.begin_create_or_update(
    crg,
    m.PartnerConfiguration(
        location="global",
        partner_authorization=m.PartnerAuthorization(default_maximum_expiration_time_in_days=10),
    ),
).result()
assert config.partner_authorization.default_maximum_expiration_time_in_days == 10
config = customer.partner_configurations.authorize_partner(
    crg, m.Partner(partner_registration_immutable_id=registration.partner_registration_immutable_id)
)
assert config.partner_authorization.authorized_partners_list[0].partner_name == "sdk-partner"
config = customer.partner_configurations.begin_update(
    crg, m.PartnerConfigurationUpdateParameters(tags={"env": "test"}, default_maximum_expiration_time_in_days=20)
).result()
assert config.partner_authorization.default_maximum_expiration_time_in_days == 20

deadline = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
channel = partner.channels.create_or_update(
    prg,
    "sdk-namespace",
    "sdk-channel",
    m.Channel(
        channel_type="PartnerTopic",
        message_for_activation="Please activate",
        expiration_time_if_not_activated_utc=deadline,
        partner_topic_info=m.PartnerTopicInfo(
            azure_subscription_id=customer_sub,
            resource_group_name=crg,
            name="sdk-topic",
            source="sdk-source",
            event_type_info=m.EventTypeInfo(
                kind="Inline", inline_event_types={"Sdk.Created": m.InlineEventProperties(description="made")}
            ),
        ),
    ),
)
assert channel.readiness_state == "NeverActivated", channel
assert abs((channel.expiration_time_if_not_activated_utc - deadline).total_seconds()) < 1
assert [c.name for c in partner.channels.list_by_partner_namespace(prg, "sdk-namespace")] == ["sdk-channel"]

topic = customer.partner_topics.get(crg, "sdk-topic")
assert topic.activation_state == "NeverActivated" and topic.source == "sdk-source", topic
assert topic.event_type_info.inline_event_types["Sdk.Created"].description == "made"
assert customer.partner_topics.activate(crg, "sdk-topic").activation_state == "Activated"
assert partner.channels.get(prg, "sdk-namespace", "sdk-channel").readiness_state == "Activated"
assert customer.partner_topics.deactivate(crg, "sdk-topic").activation_state == "Deactivated"
assert customer.partner_topics.activate(crg, "sdk-topic").activation_state == "Activated"
customer.partner_topics.update(crg, "sdk-topic", m.PartnerTopicUpdateParameters(tags={"team": "ops"}))
assert customer.partner_topics.get(crg, "sdk-topic").tags == {"team": "ops"}
assert [t.name for t in customer.partner_topics.list_by_subscription()] == ["sdk-topic"]

subs = customer.partner_topic_event_subscriptions
hook = f"{webhook}?token=secret"
created = subs.begin_create_or_update(
    crg,
    "sdk-topic",
    "sdk-subscription",
    m.EventSubscription(
        destination=m.WebHookEventSubscriptionDestination(endpoint_url=hook, max_events_per_batch=5),
        filter=m.EventSubscriptionFilter(
            included_event_types=["Sdk.Created"],
            subject_begins_with="orders/",
            advanced_filters=[
                m.NumberGreaterThanAdvancedFilter(key="data.total", value=10),
                m.StringInAdvancedFilter(key="data.region", values=["eu", "us"]),
                m.NumberInRangeAdvancedFilter(key="data.qty", values=[[1, 5]]),
                m.IsNotNullAdvancedFilter(key="data.customer"),
            ],
        ),
        retry_policy=m.RetryPolicy(max_delivery_attempts=10, event_time_to_live_in_minutes=120),
        labels=["sdk"],
    ),
).result()
assert created.provisioning_state == "Succeeded", created
got = subs.get(crg, "sdk-topic", "sdk-subscription")
assert got.destination.endpoint_base_url == webhook, got.destination
assert got.destination.endpoint_url is None, "the full URL is a secret"
kinds = [f.operator_type for f in got.filter.advanced_filters]
assert kinds == ["NumberGreaterThan", "StringIn", "NumberInRange", "IsNotNull"], kinds
assert got.filter.advanced_filters[2].values == [[1, 5]]
assert got.retry_policy.max_delivery_attempts == 10
assert subs.get_full_url(crg, "sdk-topic", "sdk-subscription").endpoint_url == hook
updated = subs.begin_update(
    crg,
    "sdk-topic",
    "sdk-subscription",
    m.EventSubscriptionUpdateParameters(
        filter=m.EventSubscriptionFilter(advanced_filters=[m.BoolEqualsAdvancedFilter(key="data.vip", value=True)]),
        labels=["sdk", "updated"],
    ),
).result()
assert updated.labels == ["sdk", "updated"], updated.labels
assert [s.name for s in subs.list_by_partner_topic(crg, "sdk-topic")] == ["sdk-subscription"]
subs.begin_delete(crg, "sdk-topic", "sdk-subscription").result()
assert list(subs.list_by_partner_topic(crg, "sdk-topic")) == []

partner.channels.update(
    prg,
    "sdk-namespace",
    "sdk-channel",
    m.ChannelUpdateParameters(
        partner_topic_info=m.PartnerUpdateTopicInfo(event_type_info=m.EventTypeInfo(kind="Inline", inline_event_types={"Sdk.Updated": m.InlineEventProperties()}))
    ),
)
assert "Sdk.Updated" in customer.partner_topics.get(crg, "sdk-topic").event_type_info.inline_event_types

partner.channels.begin_delete(prg, "sdk-namespace", "sdk-channel").result()
try:
    customer.partner_topics.get(crg, "sdk-topic")
    raise AssertionError("the topic should be gone with its channel")
except Exception as e:  # ResourceNotFoundError
    assert getattr(e, "status_code", None) == 404, e

customer.partner_configurations.unauthorize_partner(crg, m.Partner(partner_name="sdk-partner"))
partner.partner_namespaces.begin_delete(prg, "sdk-namespace").result()
partner.partner_registrations.begin_delete(prg, "sdk-partner").result()
customer.partner_configurations.begin_delete(crg).result()
print("azure-mgmt-eventgrid lifecycle: ok")
