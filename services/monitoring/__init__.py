"""The monitoring service (监测帮扶)."""
