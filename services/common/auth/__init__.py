"""Identity as every app sees it: roles, the principal, token verification, dependencies."""
