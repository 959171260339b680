"""Request smuggling: a request whose body's end is ambiguous (two
Content-Length headers, Content-Length with Transfer-Encoding, whitespace
before a field name's colon) is refused with 400 and its connection closed,
on the unix socket and on the web port alike. libmicrohttpd 0.9.75 alone
reads such a body by the first Content-Length (or by Transfer-Encoding) and
answers what follows as a second request: a proxy that split the stream
the other way would let that second request through unseen."""

import socket
import time
import unittest

from test_web import Browser, WebCase

# Each body is what one of two readers (first Content-Length, or a proxy
# honouring another header) takes for the request's body; what follows it
# for MHD would be a second request, which must never be answered.
SMUGGLED = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
API_SMUGGLED = (b"POST /v1/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 2\r\n\r\n{}")


def requests(path, second):
    """(name, raw bytes) of each ambiguous request carrying `second`."""
    head = b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" % path
    return [
        ("two Content-Length", head + b"Content-Length: 2\r\nContent-Length: %d\r\n\r\n{}"
         % (2 + len(second)) + second),
        ("the same Content-Length twice", head + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"
         + second),
        ("Content-Length and Transfer-Encoding", head + b"Content-Length: %d\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" % (5 + len(second)) + second),
        ("Transfer-Encoding and Content-Length", head + b"Transfer-Encoding: chunked\r\n"
         b"Content-Length: 5\r\n\r\n0\r\n\r\n" + second),
        ("two Transfer-Encoding", head + b"Transfer-Encoding: chunked\r\n"
         b"Transfer-Encoding: identity\r\n\r\n0\r\n\r\n" + second),
        ("space before the colon", head + b"Content-Length: 2\r\nContent-Length : %d\r\n\r\n{}"
         % (2 + len(second)) + second),
    ]


def exchange(sock, raw):
    """Sends raw, then reads until the daemon closes (or 5 s pass)."""
    sock.settimeout(5)
    sock.sendall(raw)
    got = b""
    deadline = time.monotonic() + 5
    try:
        while time.monotonic() < deadline:
            piece = sock.recv(65536)
            if not piece:
                return got, True
            got += piece
    except socket.timeout:
        pass
    except ConnectionResetError:
        return got, True
    return got, False


class Framing(WebCase):
    def check(self, connect, path, second):
        for name, raw in requests(path, second):
            with self.subTest(name), connect() as sock:
                got, closed = exchange(sock, raw)
                self.assertTrue(got.startswith(b"HTTP/1.1 400 "), got[:200])
                self.assertEqual(got.count(b"HTTP/1.1 "), 1, got)  # the second is not answered
                self.assertIn(b"\r\nConnection: close\r\n", got)
                self.assertTrue(closed, "the connection stays open")

    def unix(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.daemon.socket)
        return sock

    def tcp(self):
        return socket.create_connection(("127.0.0.1", self.port))

    def test_unix_socket_refuses_ambiguous_framing(self):
        self.check(self.unix, b"/v1/health", API_SMUGGLED)
        self.assertEqual(self.daemon.call("/v1/health", {})[0], 200)

    def test_web_port_refuses_ambiguous_framing(self):
        self.check(self.tcp, b"/webauthn/login/options", SMUGGLED)
        self.check(self.tcp, b"/login", SMUGGLED)
        self.assertEqual(Browser(self.port).get("/healthz")[0].status, 200)

    def test_one_content_length_still_keeps_the_connection(self):
        # the check refuses only what is ambiguous: two well-framed requests
        # on one connection are both answered
        with self.unix() as sock:
            sock.settimeout(5)
            sock.sendall(API_SMUGGLED + API_SMUGGLED)
            got = b""
            while got.count(b"HTTP/1.1 200 ") < 2:
                piece = sock.recv(65536)
                self.assertTrue(piece, got)
                got += piece


if __name__ == "__main__":
    unittest.main()
