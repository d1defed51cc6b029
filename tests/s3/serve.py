"""moto's S3-compatible server, one request at a time: python tests/s3/serve.py <host> <port>.

moto checks a conditional PutObject (If-None-Match, If-Match) and then writes, without a lock: served by threads, two
simultaneous conditional writes of one key can both succeed, which S3 itself never allows ("Add preconditions to S3
operations with conditional requests": of concurrent conditional writes one succeeds, the others get 412 or 409).
The portal's mutex relies on that rule, so the tests serve moto's own WSGI app without threads (HTTP/1.0, one
connection at a time), which makes each check and write atomic as in S3.
"""
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    run_simple(host, port, DomainDispatcherApplication(create_backend_app), threaded=False, request_handler=MotoRequestHandler)
