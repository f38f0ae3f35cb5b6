#!/usr/bin/python3
"""Opens COUNT idle TCP connections from SOURCE to HOST:PORT and holds them, for tests of
the server's connection limits. Writes STATUS_FILE once all are connected and then every
0.1 s: "open N closed M" (closed: the server ended them). Exits on SIGTERM or after
HOLD seconds, closing everything. Never sends a byte."""
import os
import resource
import select
import signal
import socket
import sys
import time


def main():
    host, port, source, count, status_file, hold = sys.argv[1:7]
    count, hold = int(count), float(hold)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 64), hard))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sockets = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((source, 0))
        s.settimeout(10)
        s.connect((host, int(port)))
        s.setblocking(False)
        sockets.append(s)
    by_fd = {s.fileno(): s for s in sockets}
    poller = select.poll()
    for fd in by_fd:
        poller.register(fd, select.POLLIN)
    closed = set()
    deadline = time.monotonic() + hold
    while time.monotonic() < deadline:
        for fd, _ in poller.poll(0):
            try:
                if by_fd[fd].recv(65536):
                    continue
            except OSError:
                pass
            closed.add(fd)
            poller.unregister(fd)
        tmp = status_file + ".tmp"
        with open(tmp, "w") as out:
            out.write("open %d closed %d\n" % (count - len(closed), len(closed)))
        os.replace(tmp, status_file)
        time.sleep(0.1)


main()
