"""The funds service (衔接资金)."""
