#!/usr/bin/python3
"""A stand-in for ia-sched that gives fixed answers, to test how the client tools take
answers a real ia-sched never sends (garbage, missing fields, a stuck cursor).

usage: fake_sched.py PORT_FILE LOG_FILE REPLIES

REPLIES is a JSON object from "METHOD /path" (the path without its query), "METHOD" or
"*" to {"status": 200, "type": "application/json", "body": "..."}; the most specific key
wins. Each request line is appended to LOG_FILE. The port it listens on (on 127.0.0.1)
is written to PORT_FILE once it accepts connections.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, log_file, replies = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with open(log_file, "a") as log:
            log.write(self.requestline + "\n")
        path = self.path.split("?", 1)[0]
        reply = (replies.get(self.command + " " + path) or replies.get(self.command)
                 or replies.get("*") or {"status": 404, "body": ""})
        body = reply.get("body", "").encode()
        self.send_response(reply.get("status", 200))
        self.send_header("Content-Type", reply.get("type", "application/json"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = answer

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
# Renamed into place, so that a reader never sees half a port.
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
