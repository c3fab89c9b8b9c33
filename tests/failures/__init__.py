"""Failure tests: real processes, a throwaway database restarted, apps killed."""
