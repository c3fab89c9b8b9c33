"""Where chunks are checked: on a thread of the app (the default), or in worker processes
(`MONITORING_FEED_PREPARE_PROCESSES`), so that on a host with cores to spare the checks (JSON,
ID numbers, encryption) run beside the app's event loop instead of taking turns with it for
the interpreter lock. On the two shared cores of the benchmark machine the thread was faster
(docs/benchmarks.md).

A process gets what it needs as plain data (`CheckerSpec`: the key settings, the batch's
rule versions, the known event types) and builds its own protector once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from services.common.personal_data import BlindIndex, Keyring, Protector
from services.monitoring.feeds.formats import Format
from services.monitoring.feeds.processing import PreparedChunk, prepare
from services.monitoring.feeds.records import RecordChecker
from services.monitoring.feeds.staging import StagedChunk
from services.monitoring.warnings.rules.evaluation import RuleSet


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


def prepare_chunk(spec: CheckerSpec, chunk: StagedChunk) -> PreparedChunk:
    """Check one chunk (in whichever process or thread runs it)."""
    return prepare(spec.checker(), chunk)


class Preparer:
    """Checks chunks in `processes` worker processes, or on a thread when 0."""

    def __init__(self, processes: int = 0) -> None:
        self._executor = (
            ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
            if processes
            else None
        )

    async def __call__(self, spec: CheckerSpec, chunk: StagedChunk) -> PreparedChunk:
        if self._executor is None:
            return await asyncio.to_thread(prepare_chunk, spec, chunk)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, prepare_chunk, spec, chunk)

    async def close(self) -> None:
        if self._executor is not None:
            await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
