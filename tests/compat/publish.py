"""Publishes with Azure's own data-plane SDK (azure-eventgrid): a key credential with a channel
name, a SAS credential made by the SDK's generate_sas, and a single event.

Usage: publish.py ENDPOINT KEY CHANNEL
"""

import datetime
import sys

from azure.core.credentials import AzureKeyCredential, AzureSasCredential
from azure.core.messaging import CloudEvent
from azure.eventgrid import EventGridPublisherClient, generate_sas

endpoint, key, channel = sys.argv[1:4]


def events(prefix, n):
    return [CloudEvent(source="fabrikam/orders", type="Order.Created", data={"n": i}, id=f"{prefix}-{i}") for i in range(n)]


EventGridPublisherClient(endpoint, AzureKeyCredential(key)).send(events("key", 3), channel_name=channel)

expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
sas = generate_sas(endpoint, key, expiry)
EventGridPublisherClient(endpoint, AzureSasCredential(sas)).send(events("sas", 2), channel_name=channel)
EventGridPublisherClient(endpoint, AzureKeyCredential(key)).send(events("one", 1)[0], channel_name=channel)

try:
    EventGridPublisherClient(endpoint, AzureKeyCredential("d3Jvbmcga2V5")).send(events("bad", 1), channel_name=channel)
    raise AssertionError("a wrong key must be refused")
except Exception as e:
    assert getattr(e, "status_code", None) == 401, e
print("azure-eventgrid publish: ok")
