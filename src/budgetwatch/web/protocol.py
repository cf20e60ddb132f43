"""uvicorn's HTTP protocol with Nagle's algorithm off on every connection: httptools' parser (C), or h11's
(pure Python: 0.4 ms of server CPU more per request, a cache hit 0.26 → 0.67 ms) where it is missing.

With `serve --workers N` uvicorn binds the listening socket itself (protocol number 0), and asyncio then
leaves TCP_NODELAY unset on the connections it accepts: a small answer written as headers and body waits
for the client's delayed ACK, 40 ms per request. Setting it on each connection restores ~2 ms answers."""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


def _no_delay(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)


try:
    import httptools  # noqa: F401  the C parser uvicorn's protocol below is built on
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed
    HTTP = f"{__name__}:NoDelayH11Protocol"
else:
    HTTP = f"{__name__}:NoDelayHttpToolsProtocol"

    class NoDelayHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            _no_delay(transport)
            super().connection_made(transport)
