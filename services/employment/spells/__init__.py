"""Employment spells (就业) and the employed-in-year rule."""
