"""Per-area figures (统计数): exact counts kept current by the writes themselves."""
