#!/usr/bin/env python3
"""Holds many idle keep-alive connections to `attest serve` and checks that
none is lost.

    idle_hold.py HOST PORT PATH COOKIE COUNT SECONDS [SOURCE_ADDRESS]

Opens COUNT connections (from SOURCE_ADDRESS when given, such as another
loopback address, so that the server sees them as one other client), makes
one GET PATH on each, then keeps them all open and silent for SECONDS,
watching for any the server closes.  At the end it makes one more GET on
each.  Prints one line of key=value figures; exits 1 when any connection
failed, was closed early or did not answer."""
import selectors
import socket
import sys
import time


class Conn:
    def __init__(self, sock):
        self.sock, self.buf, self.sent_at, self.status = sock, b"", 0.0, None

    def response_done(self):
        """True once buf holds a whole response (Content-Length framing)."""
        head, sep, body = self.buf.partition(b"\r\n\r\n")
        if not sep:
            return False
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if len(body) < length:
            return False
        self.status = int(head.split(b" ", 2)[1])
        self.buf = body[length:]
        return True


def round_trip(sel, conns, request, deadline):
    """One request on every connection; returns (latencies in ms, errors)."""
    waiting, lat, errors = {}, [], 0
    for c in conns:
        c.sent_at = time.monotonic()
        try:
            c.sock.sendall(request)
            sel.modify(c.sock, selectors.EVENT_READ, c)
            waiting[c.sock.fileno()] = c
        except OSError:
            errors += 1
    while waiting and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            c = key.data
            if c.sock.fileno() not in waiting:
                continue
            try:
                data = c.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                errors += 1
                del waiting[c.sock.fileno()]
                continue
            c.buf += data
            if c.response_done():
                del waiting[c.sock.fileno()]
                if c.status == 200:
                    lat.append((time.monotonic() - c.sent_at) * 1000)
                else:
                    errors += 1
    return lat, errors + len(waiting)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else float("nan")


def main():
    host, port, path, cookie = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    count, hold = int(sys.argv[5]), float(sys.argv[6])
    source = sys.argv[7] if len(sys.argv) > 7 else None
    request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nCookie: %s\r\nConnection: keep-alive\r\n\r\n"
               % (path, host, port, cookie)).encode()
    sel = selectors.DefaultSelector()
    conns, connect_errors = [], 0
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if source:
                s.bind((source, 0))
            s.settimeout(10)
            s.connect((host, port))
            s.setblocking(False)
        except OSError:
            connect_errors += 1
            s.close()
            continue
        c = Conn(s)
        sel.register(s, selectors.EVENT_READ, c)
        conns.append(c)
    first, first_errors = round_trip(sel, conns, request, time.monotonic() + 60)

    # The hold: nothing is sent; anything readable now is the server closing.
    closed = set()
    end = time.monotonic() + hold
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=min(1, max(0, end - time.monotonic()))):
            c = key.data
            try:
                data = c.sock.recv(65536)
            except OSError:
                data = b""
            if not data and c.sock.fileno() not in closed:
                closed.add(c.sock.fileno())
                sel.unregister(c.sock)
    alive = [c for c in conns if c.sock.fileno() not in closed]
    last, last_errors = round_trip(sel, alive, request, time.monotonic() + 60)
    for c in conns:
        c.sock.close()
    errors = connect_errors + first_errors + len(closed) + last_errors
    print("connections=%d opened=%d first_ok=%d closed_during_hold=%d last_ok=%d errors=%d "
          "first_p50_ms=%.1f first_p99_ms=%.1f last_p50_ms=%.1f last_p99_ms=%.1f"
          % (count, len(conns), len(first), len(closed), len(last), errors,
             pct(first, 50), pct(first, 99), pct(last, 50), pct(last, 99)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
