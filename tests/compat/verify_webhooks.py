"""Verifies recorded deliveries with the Standard Webhooks reference library (standardwebhooks),
independently of the server's own signing code.

Usage: verify_webhooks.py REQUEST.json, where the file holds {"secret": "whsec_...", "now":
<unix seconds> | null, "deliveries": [{"headers": {...}, "body": "..."}]}. Prints a JSON list
with "ok" or the verifier's error for each delivery. "now" stands in for the verifier's clock (for servers on a manual clock).
"""

import datetime
import json
import sys

import standardwebhooks.webhooks as webhooks

with open(sys.argv[1]) as f:
    request = json.load(f)

if request.get("now") is not None:
    frozen = datetime.datetime.fromtimestamp(request["now"], tz=datetime.timezone.utc)

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return frozen

    webhooks.datetime = FrozenDatetime

verifier = webhooks.Webhook(request["secret"])
results = []
for delivery in request["deliveries"]:
    try:
        verifier.verify(delivery["body"], delivery["headers"], json_parse=False)
        results.append("ok")
    except Exception as e:
        results.append(f"{type(e).__name__}: {e}")
print(json.dumps(results))
