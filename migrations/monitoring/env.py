from migrations.environment import run
from services.common.tables import kit_metadata
from services.monitoring.models import Base

run("monitoring", [kit_metadata, Base.metadata])
