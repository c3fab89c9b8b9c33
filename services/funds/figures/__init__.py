"""Per-county figures (统计数): exact sums kept current by the writes themselves."""
