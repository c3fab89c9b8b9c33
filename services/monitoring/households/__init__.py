"""The household registry (农户台账): households, members, moves, incomes."""
