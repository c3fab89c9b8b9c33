"""Assistance workshops (帮扶车间): qualifying while they employ enough exited-poverty workers."""
