"""The load generator's side of the fan-out benchmarks: many browser sockets held open in
one event loop, each frame timestamped as it arrives. Runs in its own process; no Django."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson


@dataclass
class LiveSocket:
    ws: Any
    arrivals: list[tuple[float, dict]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    closed: bool = False


@dataclass
class Fleet:
    sockets: list[LiveSocket] = field(default_factory=list)
    last_arrival: float = 0.0
    readers: list[asyncio.Task] = field(default_factory=list)

    def clear(self) -> Counter[str]:
        drained: Counter[str] = Counter()
        for sock in self.sockets:
            drained.update(sock.counts)
            sock.arrivals.clear()
            sock.counts.clear()
        return drained


async def read_socket(fleet: Fleet, sock: LiveSocket) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in sock.ws:
            arrived = time.time()
            message = orjson.loads(raw)
            sock.arrivals.append((arrived, message))
            sock.counts[message.get("event", "")] += 1
            fleet.last_arrival = arrived
    except ConnectionClosed:
        pass
    sock.closed = True


async def open_sockets(
    fleet: Fleet, port: int, cookies: list[str], *, ready_event: str, concurrency: int
) -> list[str]:
    """Open one /ws/ socket per cookie, `concurrency` handshakes at a time, each waiting
    for `ready_event` (the last message of its connect sequence). Returns the errors."""
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    gate = asyncio.Semaphore(concurrency)
    errors: list[str] = []

    async def one(cookie: str) -> None:
        async with gate:
            try:
                ws = await connect(
                    f"ws://127.0.0.1:{port}/ws/",
                    origin=Origin(f"http://127.0.0.1:{port}"),
                    additional_headers={"Cookie": cookie},
                    compression=None,
                    proxy=None,
                    ping_interval=None,
                    max_queue=1024,
                    open_timeout=30,
                )
            except Exception as error:  # noqa: BLE001 - reported to the bench process
                errors.append(repr(error))
                return
            sock = LiveSocket(ws=ws)
            fleet.sockets.append(sock)
            fleet.readers.append(asyncio.create_task(read_socket(fleet, sock)))
            deadline = time.time() + 30
            while not sock.counts[ready_event] and time.time() < deadline and not sock.closed:
                await asyncio.sleep(0.005)
            if not sock.counts[ready_event]:
                errors.append(f"no connect {ready_event} (closed={sock.closed})")

    await asyncio.gather(*(one(cookie) for cookie in cookies))
    return errors


async def drain(fleet: Fleet, quiet: float) -> Counter[str]:
    """Wait until no frame has arrived for `quiet` seconds, then forget everything."""
    while time.time() - fleet.last_arrival < quiet:
        await asyncio.sleep(quiet / 4)
    return fleet.clear()
