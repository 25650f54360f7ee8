"""A lean load generator: raw HTTP/1.1 over keep-alive connections, in one asyncio loop.

Its own CPU time per request is small (tens of microseconds), so on a small machine it leaves the
cores to the server being measured; the benches print how much it took.
"""

import asyncio
import collections
import time
from dataclasses import dataclass, field

GIVE_UP_SECONDS = 5  # open loop: a request still waiting for a free connection this long is not sent


@dataclass
class Phase:
    """What one load phase saw."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    sent: list[int] = field(default_factory=list)  # numbers of the deliveries posted
    seconds: float = 0.0
    generator_cpu: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    send_lag_ms: list[float] = field(default_factory=list)  # open loop: how late each request left
    due_at: dict[int, float] = field(default_factory=dict)  # open loop: when each was due (epoch seconds)

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def pct(self, share: float) -> float:
        return percentile(sorted(self.latencies_ms), share)


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def raw_request(path: str, port: int, body: bytes, headers: dict[str, str], method: str = "POST") -> bytes:
    """One HTTP/1.1 request as bytes, ready to write on a keep-alive connection to 127.0.0.1:`port`."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> "Connection":
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def send(self, request: bytes) -> int:
        """One request, its whole answer read; the status (0 if the connection broke)."""
        try:
            if self.writer is None:
                await self.open()
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
            lowered = head.lower()
            start = lowered.find(b"\r\ncontent-length:")
            if start >= 0:
                length = int(lowered[start + 17 : lowered.index(b"\r\n", start + 2)])
                await self.reader.readexactly(length)
            if b"\r\nconnection: close" in lowered:
                self.close()
            return int(head[9:12])
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            self.close()
            return 0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def measured(phase: Phase, sampler, load) -> Phase:
    """Run `load`, noting its wall time and the CPU `sampler.cpu()` says each party used."""
    before = sampler.cpu()
    started = time.perf_counter()
    await load
    phase.seconds = time.perf_counter() - started
    after = sampler.cpu()
    phase.cpu = {key: after[key] - before[key] for key in after}
    phase.generator_cpu = phase.cpu["generator"]
    return phase


async def closed_loop(phase: Phase, port: int, requests, concurrency: int, seconds: float) -> None:
    """`concurrency` connections, each posting its next request as soon as the previous is answered."""
    deadline = time.perf_counter() + seconds
    connections = [await Connection(port).open() for _ in range(concurrency)]

    async def client(connection: Connection) -> None:
        while time.perf_counter() < deadline and requests:
            number, request = requests.popleft()
            begin = time.perf_counter()
            status = await connection.send(request)
            phase.latencies_ms.append((time.perf_counter() - begin) * 1000)
            phase.statuses[status] += 1
            phase.sent.append(number)

    await asyncio.gather(*(client(connection) for connection in connections))
    for connection in connections:
        connection.close()


async def open_loop(phase: Phase, port: int, requests, rate: float, seconds: float, pool_size: int) -> None:
    """Request n is due at start + n / rate, whatever the earlier ones took; timed from when it was due."""
    idle: asyncio.Queue = asyncio.Queue()
    for _ in range(pool_size):
        idle.put_nowait(await Connection(port).open())
    in_flight = set()

    async def fire(number: int, request: bytes, due: float) -> None:
        # A request that finds no idle connection waits, and that counts; past GIVE_UP it is not sent.
        try:
            connection = await asyncio.wait_for(
                idle.get(), max(0.001, due + GIVE_UP_SECONDS - time.perf_counter())
            )
        except TimeoutError:
            phase.statuses[f"not sent: no connection free for {GIVE_UP_SECONDS} s"] += 1
            return
        phase.send_lag_ms.append((time.perf_counter() - due) * 1000)
        status = await connection.send(request)
        phase.latencies_ms.append((time.perf_counter() - due) * 1000)
        phase.statuses[status] += 1
        phase.sent.append(number)
        idle.put_nowait(connection)

    started, epoch = time.perf_counter(), time.time()
    for n in range(int(rate * seconds)):
        if not requests:
            break
        due = started + n / rate
        phase.due_at[requests[0][0]] = epoch + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(fire(*requests.popleft(), due))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    await asyncio.gather(*in_flight)
    while not idle.empty():
        idle.get_nowait().close()


class Endless:
    """The same request again and again, where the closed loop expects a deque."""

    def __init__(self, item) -> None:
        self.item = item

    def __bool__(self) -> bool:
        return True

    def popleft(self):
        return self.item
