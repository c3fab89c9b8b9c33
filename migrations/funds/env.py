from migrations.environment import run
from services.common.tables import kit_metadata
from services.funds.models import Base

run("funds", [kit_metadata, Base.metadata])
