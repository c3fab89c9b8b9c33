"""Per-area figures (统计数): exact counts and amounts kept current by the writes themselves."""
