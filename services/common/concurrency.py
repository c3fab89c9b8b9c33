"""Optimistic concurrency: every updatable record has a `version`; updates carry `If-Match`.

A missing `If-Match` answers 428 `precondition_required`; a stale one answers 412
`version_mismatch` with the current record in `current`, so a client can show both.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Response

from services.common.errors import InvalidInput, PreconditionFailed, PreconditionRequired


async def if_match_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The `version` (or ETag) of the record this update is based on (版本号).",
        ),
    ] = None,
) -> int:
    """The version the client based its update on, parsed from `If-Match`."""
    return parse_if_match(if_match)


def parse_if_match(if_match: str | None) -> int:
    """428 when absent, 422 when not a version; the version otherwise."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired("An update needs the If-Match header with the record version.")
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput.for_field(
            "header.If-Match", "version_format", 'If-Match must be a version number, e.g. "3".'
        )
    return int(value)


IfMatchVersion = Annotated[int, Depends(if_match_version)]


async def optional_if_match_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="Needed only to replace an existing record (PUT that creates needs none).",
        ),
    ] = None,
) -> int | None:
    """For create-or-replace (PUT): the version when given, None when absent."""
    return None if if_match is None else parse_if_match(if_match)


OptionalIfMatchVersion = Annotated[int | None, Depends(optional_if_match_version)]


def check_version(expected: int, actual: int, current: Any) -> None:
    """412 with the current record (JSON-ready) when the client's version is not the record's."""
    if expected != actual:
        raise PreconditionFailed(
            f"The record is at version {actual}, not {expected}.",
            extra={"current": current},
            headers={"ETag": etag(actual)},
        )


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)
