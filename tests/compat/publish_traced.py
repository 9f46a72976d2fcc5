"""Publishes with azure-eventgrid and a W3C trace context on the request (azure-core's
CloudEventDistributedTracingPolicy copies traceparent and tracestate, when both are given, into
events that have neither).

Usage: publish_traced.py ENDPOINT KEY CHANNEL TRACEPARENT TRACESTATE OWN_TRACEPARENT
"""

import sys

from azure.core.credentials import AzureKeyCredential
from azure.core.messaging import CloudEvent
from azure.eventgrid import EventGridPublisherClient

endpoint, key, channel, traceparent, tracestate, own = sys.argv[1:7]
client = EventGridPublisherClient(endpoint, AzureKeyCredential(key))


def event(id, **kwargs):
    return CloudEvent(source="fabrikam/orders", type="Order.Created", data={"id": id}, id=id, **kwargs)


client.send(
    [event("sdk-plain"), event("sdk-own", extensions={"traceparent": own})],
    channel_name=channel,
    headers={"traceparent": traceparent, "tracestate": tracestate},
)
client.send([event("sdk-header-only")], channel_name=channel, headers={"traceparent": traceparent})
print("azure-eventgrid traced publish: ok")
