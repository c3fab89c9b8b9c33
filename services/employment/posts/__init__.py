"""Public-welfare posts (公益性岗位): pay capped at the local minimum wage, contracts of at most
a year."""
