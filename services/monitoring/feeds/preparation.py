"""Where chunks are checked and encoded (`encoding`): in worker processes
(`MONITORING_FEED_PREPARE_PROCESSES`), so the checks (JSON, ID numbers, encryption, rules,
COPY encoding) run beside the app's event loop and PostgreSQL instead of taking turns with the
loop for the interpreter lock; or on a thread of the app when 0 (tests, small hosts).

A process gets what it needs as plain data (`CheckerSpec`: the key settings, the batch's
rule versions, the known event types) and builds its own protector once; a chunk travels to
it still encrypted, and comes back as COPY payloads.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from services.common.personal_data import BlindIndex, Keyring, Protector, parse_person_number
from services.common.process_pool import spawned_pool
from services.monitoring.feeds.encoding import EncodedChunk, encode_chunk
from services.monitoring.feeds.formats import Format
from services.monitoring.feeds.records import RecordChecker
from services.monitoring.feeds.staging import SealedChunk
from services.monitoring.warnings.rules.evaluation import RuleSet

WARM_UP_NUMBER = "11010519491231002X"  # GB 11643's own example
# The checking processes yield the CPU to the app's requests and to PostgreSQL: they run ahead
# of the chunk being written (`Preparer.depth`) and catch up in what the others leave, so a
# batch keeps the database busy and requests answer quicker while it runs (docs/benchmarks.md,
# department feeds, session 11).
NICENESS = 10


@dataclass(frozen=True)
class CheckerSpec:
    """A batch's `RecordChecker` as data that can be sent to another process."""

    data_keys: str
    data_key_current: str | None
    blind_index_key: str
    event_types: dict[str, frozenset[str]]
    client_area: str
    default_source: str | None
    rules: RuleSet
    today: date
    format: Format
    header: tuple[str, ...]

    def checker(self) -> RecordChecker:
        return RecordChecker(
            protector=_protector(self.data_keys, self.data_key_current, self.blind_index_key),
            event_types=self.event_types,
            client_area=self.client_area,
            default_source=self.default_source,
            rules=self.rules,
            today=self.today,
            format=self.format,
            header=self.header,
        )


@lru_cache(maxsize=4)
def _protector(data_keys: str, current: str | None, blind_index_key: str) -> Protector:
    return Protector(
        Keyring.from_setting(data_keys, current), BlindIndex.from_setting(blind_index_key)
    )


def prepare_chunk(spec: CheckerSpec, batch_id: uuid.UUID, chunk: SealedChunk) -> EncodedChunk:
    """Check and encode one chunk (in whichever process or thread runs it)."""
    return encode_chunk(spec.checker(), batch_id, chunk)


def _warm_up() -> None:
    """Run once on each process as it starts: the ID-number parser loads its region database
    on first use (about a second), before the first chunk rather than in it."""
    parse_person_number(WARM_UP_NUMBER)


class Preparer:
    """Checks chunks in `processes` worker processes, or on a thread when 0. `depth`: how many
    chunks the batch worker keeps submitted ahead of the one it writes, so every process has
    the next chunk waiting while PostgreSQL writes."""

    def __init__(self, processes: int = 0) -> None:
        self.processes = processes
        self.depth = processes + 1 if processes else 1
        self._executor = self._pool()

    def _pool(self) -> ProcessPoolExecutor | None:
        if not self.processes:
            return None
        return spawned_pool(self.processes, NICENESS)

    async def __call__(
        self, spec: CheckerSpec, batch_id: uuid.UUID, chunk: SealedChunk
    ) -> EncodedChunk:
        executor = self._executor
        if executor is None:
            return await asyncio.to_thread(prepare_chunk, spec, batch_id, chunk)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, prepare_chunk, spec, batch_id, chunk)
        except BrokenProcessPool:
            # A worker process died (killed, out of memory): the pool is unusable from then
            # on. Preparing a chunk changes nothing anywhere, so it is tried once more on a
            # new pool; a chunk that kills its process again fails the batch's try.
            if self._executor is executor:
                executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._pool()
            assert self._executor is not None
            return await loop.run_in_executor(self._executor, prepare_chunk, spec, batch_id, chunk)

    async def start(self) -> None:
        """Start the worker processes now rather than with the first chunk (a spawned process
        takes about a second to import the app's modules)."""
        if self._executor is not None:
            loop = asyncio.get_running_loop()
            await asyncio.gather(
                *(loop.run_in_executor(self._executor, _warm_up) for _ in range(self.processes))
            )

    async def close(self) -> None:
        await asyncio.to_thread(self.shutdown)

    def shutdown(self) -> None:
        """Stop the worker processes (waits for the chunk each is on)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
