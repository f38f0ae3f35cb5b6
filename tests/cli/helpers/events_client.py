#!/usr/bin/python3
"""Test clients for ia-sched's /v1/events and for making many events.

  events_client.py submit URL TOKEN COUNT
      submits COUNT tasks over one kept-alive connection (each makes one event)
  events_client.py stall URL TOKEN LAST_ID READY_FILE GO_FILE
      opens a stream from LAST_ID with a 4K receive buffer, writes READY_FILE once the
      header is in, stops reading until GO_FILE exists, then reads to the end for up to
      20 s and prints "closed" (the server ended the stream) or "open"
"""
import http.client
import os
import socket
import sys
import time
import urllib.parse


def submit(url, token, count):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    for _ in range(int(count)):
        conn.request("POST", "/v1/tasks", body='{"code":"x"}',
                     headers={"Authorization": "Bearer " + token,
                              "Content-Type": "application/json"})
        answer = conn.getresponse()
        answer.read()
        if answer.status != 201:
            sys.exit("submit: HTTP %d" % answer.status)


def stall(url, token, last_id, ready_file, go_file):
    parts = urllib.parse.urlsplit(url)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((parts.hostname, parts.port))
    s.sendall(("GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Last-Event-ID: %s\r\n\r\n" % (token, last_id)).encode())
    s.settimeout(10)
    head = b""
    while b": ia-sched events\n\n" not in head:
        data = s.recv(4096)
        if not data:
            sys.exit("stall: the stream ended before its header")
        head += data
    open(ready_file, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(go_file) and time.monotonic() < deadline:
        time.sleep(0.05)
    deadline = time.monotonic() + 20
    s.settimeout(1)
    while time.monotonic() < deadline:
        try:
            if not s.recv(65536):
                print("closed")
                return
        except socket.timeout:
            continue
        except OSError:
            print("closed")
            return
    print("open")


if __name__ == "__main__":
    {"submit": submit, "stall": stall}[sys.argv[1]](*sys.argv[2:])
