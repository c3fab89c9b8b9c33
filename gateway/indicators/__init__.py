"""Per-county indicators (考核指标) across the services, merged, computed and ranked."""
