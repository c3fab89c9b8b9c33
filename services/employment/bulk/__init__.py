"""Bulk loading (批量导入) of employment spells and loans: streamed NDJSON or CSV, validated row
by row, COPY underneath, answered with a per-row report."""
