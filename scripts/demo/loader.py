"""The account `make run DEMO=1` loads the demo data as: an administrator of the nation, made
on the server like the development administrator (`gateway.cli`), given a fresh password on
every start because passwords are never stored in clear."""

from __future__ import annotations

from gateway.auth.repository import user_by_username_for_update
from gateway.cli import database, operator
from gateway.users import service as users
from gateway.users.schemas import UserCreate
from services.common.areas import NATION_CODE
from services.common.auth.roles import Role

LOADER = "demo.loader"


async def loader_password() -> str:
    db = database()
    try:
        async with db.sessionmaker() as session:
            user = await user_by_username_for_update(session, LOADER)
            if user is None:
                data = UserCreate(
                    username=LOADER,
                    display_name="Demo data loader (演示数据导入)",
                    role=Role.ADMINISTRATOR,
                    area_code=NATION_CODE,
                )
                _, password = await users.create_user(session, operator(), data)
            else:
                password = await users.reset_password(session, operator(), user.id)
            await session.commit()
            assert password is not None
            return password
    finally:
        await db.dispose()
