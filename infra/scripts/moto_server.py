"""Runs moto's AWS emulator on HOST PORT, handling one DynamoDB request at a time.

moto applies TransactWriteItems by snapshotting the whole table and restoring the snapshot when
a condition fails, with no lock: a concurrent request's writes are lost or half-applied. Real
DynamoDB isolates every request. Serving requests one at a time gives each request DynamoDB's
atomicity, so tests that race clients against the emulator test our code, not moto's. Other
services (SQS long polls, above all) run concurrently as usual.
"""

import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

host, port = sys.argv[1], int(sys.argv[2])
app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()


def one_at_a_time(environ, start_response):
    if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
        return app(environ, start_response)
    with lock:
        return list(app(environ, start_response))


run_simple(host, port, one_at_a_time, threaded=True)
