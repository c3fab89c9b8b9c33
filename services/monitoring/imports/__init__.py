"""Onboarding a county (台账导入): streamed NDJSON and CSV imports of households and members.

Kept free of web and database imports at package level: worker processes import the row parser
from here and should start quickly.
"""
