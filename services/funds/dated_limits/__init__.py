"""The limits as of every day, not only today (按日额度): see `service`."""
