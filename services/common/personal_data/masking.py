"""Masked forms of personal data for responses: enough to recognise a record, not to reuse it."""

from __future__ import annotations


def mask_person_number(value: str) -> str:
    """Keep the first 6 and last 4 characters (`110105********002X`); 10 or fewer: all masked."""
    if len(value) == 18:  # a resident ID number, spelled out: bulk paths mask millions
        return value[:6] + "********" + value[14:]
    return _keep_ends(value, head=6, tail=4)


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 characters (`138****5678`); 7 or fewer: all masked."""
    return _keep_ends(value, head=3, tail=4)


def mask_name(value: str) -> str:
    """Keep a name's first character and, from 3 characters on, its last (`张*`, `欧*锋`)."""
    if len(value) <= 1:
        return "*" * len(value)
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def _keep_ends(value: str, *, head: int, tail: int) -> str:
    # A value no longer than the kept ends would be shown whole, so it is hidden whole instead.
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]
