"""The rules of employment spells. Every write recounts the labourer's years (yearly.py), so
the employed figures move in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.concurrency import check_version
from services.common.errors import InvalidInput, NotFound
from services.common.history import record_write
from services.employment.labourers.service import get_labourer
from services.employment.models import EmploymentSpell, Labourer
from services.employment.posts import service as posts
from services.employment.settings import EmploymentSettings
from services.employment.spells import repository, yearly
from services.employment.spells.schemas import SpellCreate, SpellRead, SpellUpdate
from services.employment.workshops.service import get_workshop

LOCAL_KINDS = frozenset({"public_welfare_post", "assistance_workshop"})


@dataclass
class SpellFields:
    """What the rules look at, whether the spell is new or changed."""

    kind: str
    place_class: str
    start_date: date
    end_date: date | None
    monthly_wage: Decimal
    post_id: uuid.UUID | None
    workshop_id: uuid.UUID | None


async def create_spell(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    labourer_id: uuid.UUID,
    data: SpellCreate,
) -> EmploymentSpell:
    labourer = await get_labourer(session, principal, labourer_id, for_update=True)
    fields = SpellFields(
        kind=data.kind,
        place_class=data.place_class,
        start_date=data.start_date,
        end_date=data.end_date,
        monthly_wage=data.monthly_wage,
        post_id=data.post_id,
        workshop_id=data.workshop_id,
    )
    await check_spell(session, principal, settings, fields, except_spell=None)
    spell = EmploymentSpell(
        id=uuid.uuid4(),
        labourer_id=labourer.id,
        area_code=labourer.area_code,
        version=1,
        **data.model_dump(),
    )
    session.add(spell)
    await session.flush()
    await yearly.recount(session, [labourer.id], min_days=settings.employed_min_days())
    await written(session, principal, spell, "create")
    return spell


async def update_spell(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    spell_id: uuid.UUID,
    data: SpellUpdate,
    version: int,
) -> EmploymentSpell:
    spell = await get_spell(session, principal, spell_id)
    labourer: Labourer = await get_labourer(session, principal, spell.labourer_id, for_update=True)
    spell = await get_spell(session, principal, spell_id, for_update=True)
    check_version(version, spell.version, SpellRead.model_validate(spell).model_dump(mode="json"))
    changes = data.model_dump(exclude_unset=True)
    for name in ("employer", "place_class", "start_date", "monthly_wage"):
        if name in changes and changes[name] is None:
            raise InvalidInput.for_field(f"body.{name}", "not_null", f"{name} cannot be null")
    fields = SpellFields(
        kind=spell.kind,
        place_class=changes.get("place_class", spell.place_class),
        start_date=changes.get("start_date", spell.start_date),
        end_date=changes.get("end_date", spell.end_date),
        monthly_wage=changes.get("monthly_wage", spell.monthly_wage),
        post_id=spell.post_id,
        workshop_id=spell.workshop_id,
    )
    await check_spell(session, principal, settings, fields, except_spell=spell.id)
    for name, value in changes.items():
        setattr(spell, name, value)
    spell.version += 1
    await session.flush()
    await yearly.recount(session, [labourer.id], min_days=settings.employed_min_days())
    await written(session, principal, spell, "update", sorted(changes))
    return spell


async def check_spell(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    spell: SpellFields,
    *,
    except_spell: uuid.UUID | None,
) -> None:
    """Dates in order; a post or workshop job names its post or workshop in the caller's area
    and is local; a post contract respects the post's pay cap, length and positions."""
    if spell.end_date is not None and spell.end_date < spell.start_date:
        raise InvalidInput.for_field(
            "body.end_date", "dates_in_order", "A job ends on or after the day it starts."
        )
    if spell.kind in LOCAL_KINDS and spell.place_class != "in_county":
        raise InvalidInput.for_field(
            "body.place_class",
            "local_place_required",
            "Public-welfare posts and assistance workshops are local work: place in_county.",
        )
    if (spell.post_id is not None) != (spell.kind == "public_welfare_post"):
        raise InvalidInput.for_field(
            "body.post_id",
            "post_kind_mismatch",
            "A public-welfare post job names its post; other jobs name none.",
        )
    if (spell.workshop_id is not None) != (spell.kind == "assistance_workshop"):
        raise InvalidInput.for_field(
            "body.workshop_id",
            "workshop_kind_mismatch",
            "An assistance workshop job names its workshop; other jobs name none.",
        )
    if spell.workshop_id is not None:
        await get_workshop(session, principal, spell.workshop_id)
    if spell.post_id is not None:
        post = await posts.get_post(session, principal, spell.post_id, for_update=True)
        posts.check_pay(settings, post.area_code, spell.monthly_wage, "body.monthly_wage")
        end = posts.check_contract(settings, spell.start_date, spell.end_date, "body.end_date")
        await posts.check_room(session, post, spell.start_date, end, except_spell=except_spell)


async def get_spell(
    session: AsyncSession, principal: Principal, spell_id: uuid.UUID, *, for_update: bool = False
) -> EmploymentSpell:
    spell = await repository.get_spell(session, principal, spell_id, for_update=for_update)
    if spell is None:
        raise NotFound(f"No employment spell {spell_id}.")
    return spell


async def written(
    session: AsyncSession,
    principal: Principal,
    spell: EmploymentSpell,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity="employment_spell",
        entity_id=str(spell.id),
        area_code=spell.area_code,
        version=spell.version,
        action=action,
        fields=fields,
    )
