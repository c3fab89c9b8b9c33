"""The employment service (就业与小额信贷)."""
