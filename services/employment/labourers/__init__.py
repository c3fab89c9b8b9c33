"""Labourers (劳动力): working-age members of exited-poverty and monitored households."""
