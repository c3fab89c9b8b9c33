"""The kit every Dixian app imports."""
