"""uvicorn's HTTP protocol with Nagle's algorithm off on every connection.

With `serve --workers N` uvicorn binds the listening socket itself (protocol number 0), and asyncio then
leaves TCP_NODELAY unset on the connections it accepts: a small answer written as headers and body waits
for the client's delayed ACK, 40 ms per request. Setting it on each connection restores ~2 ms answers."""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
