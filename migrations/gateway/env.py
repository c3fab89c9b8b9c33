from gateway.models import Base
from migrations.environment import run
from services.common.tables import kit_metadata

run("gateway", [kit_metadata, Base.metadata])
