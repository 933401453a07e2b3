#!/usr/bin/env python3
"""Hostile clients for Interop/hostile-load.sh: each holds its connections open while the script checks that the
server still answers, and prints one JSON line of what it saw when told to stop (SIGTERM) or when its time is up.

    python3 Interop/hostile.py tcp-flood HOST PORT SOURCES PER_SOURCE SECONDS
        Opens PER_SOURCE idle TCP connections from each of SOURCES loopback addresses (127.0.1.1, 127.0.1.2, ...),
        none a trunk's, says "opened N in S s" on standard error once all are open, and counts how many the server
        has closed when the time is up.
    python3 Interop/hostile.py slowloris HOST PORT CONNECTIONS SECONDS
        Opens CONNECTIONS HTTP connections, each dripping a request head one byte a second, and counts how many the
        server has closed (and when) when the time is up.

Loopback only; every socket is closed on exit.
"""
import json
import resource
import selectors
import signal
import socket
import sys
import time


def raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


class Stop(Exception):
    pass


def on_term(*_):
    raise Stop()


def closed_by_peer(sock: socket.socket) -> bool:
    """Whether the server has closed the connection (a read returns EOF or fails); never blocks."""
    sock.setblocking(False)
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def tcp_flood(host: str, port: int, sources: int, per_source: int, seconds: float) -> dict:
    raise_open_files(sources * per_source + 256)
    sockets, refused = [], 0
    started = time.monotonic()
    try:
        for s in range(sources):
            source = f"127.0.1.{s + 1}"
            for _ in range(per_source):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    sock.bind((source, 0))
                    sock.settimeout(2)
                    sock.connect((host, port))
                    sockets.append(sock)
                except OSError:
                    refused += 1
                    sock.close()
        print(f"opened {len(sockets)} in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.2)
    except Stop:
        pass
    opened = len(sockets)
    closed = sum(1 for sock in sockets if closed_by_peer(sock))
    for sock in sockets:
        sock.close()
    return {"attempted": sources * per_source, "opened": opened, "refused": refused, "closed_by_server": closed}


def slowloris(host: str, port: int, connections: int, seconds: float) -> dict:
    raise_open_files(connections + 256)
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4096
    selector = selectors.DefaultSelector()
    started = time.monotonic()
    open_sockets, closed_after = {}, []
    for _ in range(connections):
        sock = socket.create_connection((host, port), timeout=2)
        sock.setblocking(False)
        open_sockets[sock] = 0
        selector.register(sock, selectors.EVENT_READ)
    try:
        while open_sockets and time.monotonic() - started < seconds:
            for sock, sent in list(open_sockets.items()):
                try:
                    sock.send(head[sent:sent + 1])
                    open_sockets[sock] = sent + 1
                except OSError:
                    pass
            for key, _ in selector.select(timeout=1.0):
                sock = key.fileobj
                if closed_by_peer(sock):
                    closed_after.append(round(time.monotonic() - started, 1))
                    selector.unregister(sock)
                    sock.close()
                    del open_sockets[sock]
    except Stop:
        pass
    for sock in open_sockets:
        sock.close()
    closed_after.sort()
    return {
        "connections": connections,
        "closed_by_server": len(closed_after),
        "last_closed_after_s": closed_after[-1] if closed_after else None,
    }


def main() -> None:
    signal.signal(signal.SIGTERM, on_term)
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "tcp-flood":
        result = tcp_flood(host, port, int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    elif mode == "slowloris":
        result = slowloris(host, port, int(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit(f"unknown mode {mode}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
