"""Fund allocations (资金下达) from the four levels to a county, and their reversals (冲销)."""
