from migrations.environment import run
from services.common.tables import kit_metadata
from services.employment.models import Base

run("employment", [kit_metadata, Base.metadata])
