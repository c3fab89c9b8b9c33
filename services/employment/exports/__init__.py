"""Streamed exports of microcredit loans for provincial systems (数据导出)."""
