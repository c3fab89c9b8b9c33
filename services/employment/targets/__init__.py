"""Yearly employment targets per county (就业目标任务) and completion against them."""
