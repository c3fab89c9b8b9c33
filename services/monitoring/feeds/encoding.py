"""A chunk checked and encoded where it is prepared (a worker process, or a thread): its staged
payload decrypted, every record checked and protected, and the results written as PostgreSQL
binary COPY payloads, so the app's event loop only forwards bytes and PostgreSQL does the
rest with set statements (`matching`, `raising`).

Three payloads: the valid records (`feed_incoming`), each record's candidate rules with their
verdict for either kind of household (`feed_candidates`: whether the record is about a
registered person and of which kind is only known once PostgreSQL has matched it), and the
rejections (`feed_rejections`, straight into the table).
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from functools import lru_cache

from services.common import copy_binary as encode
from services.monitoring.feeds.records import RecordChecker, Rejection, ValidRecord
from services.monitoring.feeds.staging import SealedChunk, unseal

INCOMING_FIELDS = encode.field_count(12)
CANDIDATE_FIELDS = encode.field_count(4)
REJECTION_FIELDS = encode.field_count(6)
_bigint = struct.Struct("!iq").pack

# Values that repeat over a batch's records: sources, event types, villages, names.
_text = lru_cache(maxsize=65_536)(encode.text)
_date = lru_cache(maxsize=4_096)(encode.date)


@dataclass(slots=True)
class EncodedChunk:
    """A chunk's records as COPY payloads (empty bytes: none) and its counts."""

    chunk_no: int
    seen: int = 0  # records in the chunk (blank lines are not records)
    valid: int = 0
    rejected: int = 0
    incoming: bytes = b""
    candidates: bytes = b""
    rejections: bytes = b""


def encode_chunk(checker: RecordChecker, batch_id: uuid.UUID, chunk: SealedChunk) -> EncodedChunk:
    """Check and encode one staged chunk of batch `batch_id`."""
    staged = unseal(checker.protector.keyring, batch_id, chunk)
    rules = checker.rules
    encoded = EncodedChunk(chunk.chunk_no)
    incoming: list[bytes] = []
    candidates: list[bytes] = []
    rejections: list[bytes] = []
    batch = encode.uuid(batch_id.bytes)
    for offset, text in enumerate(staged.lines):
        result = checker.check(staged.first_line + offset, text)
        if result is None:
            continue
        encoded.seen += 1
        if isinstance(result, Rejection):
            rejections.append(_rejection(batch, result))
            continue
        incoming.append(_incoming(result))
        for rule in rules.for_event(result.source, result.event_type):
            if_exited_poverty, if_other = rule.verdicts(
                amount=result.amount, birth_date=result.person.birth_date, on=result.event_date
            )
            if if_exited_poverty or if_other:
                candidates.append(
                    b"".join(
                        (
                            CANDIDATE_FIELDS,
                            encode.integer(result.line),
                            _bigint(8, rule.version_id),
                            encode.boolean(if_exited_poverty),
                            encode.boolean(if_other),
                        )
                    )
                )
    encoded.valid, encoded.rejected = len(incoming), len(rejections)
    encoded.incoming = _payload(incoming)
    encoded.candidates = _payload(candidates)
    encoded.rejections = _payload(rejections)
    return encoded


def _payload(rows: list[bytes]) -> bytes:
    return b"".join((encode.HEADER, *rows, encode.TRAILER)) if rows else b""


def _incoming(r: ValidRecord) -> bytes:
    return b"".join(
        (
            INCOMING_FIELDS,
            encode.integer(r.line),
            _text(r.source),
            encode.text(r.source_record_id),
            encode.binary(r.person.cipher),
            encode.binary(r.person.index),
            encode.text(r.person.masked),
            _text(r.name),
            _text(r.area_code),
            _text(r.event_type),
            _date(r.event_date),
            encode.NULL if r.amount is None else encode.text(str(r.amount)),
            encode.NULL if r.details_cipher is None else encode.binary(r.details_cipher),
        )
    )


def _rejection(batch: bytes, r: Rejection) -> bytes:
    return b"".join(
        (
            REJECTION_FIELDS,
            batch,
            encode.integer(r.line),
            encode.text(r.source_record_id),
            _text(r.field),
            _text(r.rule),
            encode.text(r.message[:300]),
        )
    )
