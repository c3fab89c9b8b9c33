"""The household registry of the monitoring service, as this service asks it about people."""
