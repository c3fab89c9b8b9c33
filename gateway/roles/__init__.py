"""Which roles fit which areas, and who may grant what."""
