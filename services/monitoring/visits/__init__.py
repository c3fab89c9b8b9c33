"""Visits (走访) to households, and the monthly revisits (回访) after risk elimination."""
