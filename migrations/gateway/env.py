from migrations.environment import run
from services.common.tables import kit_metadata
from gateway.models import Base

run("gateway", [kit_metadata, Base.metadata])
