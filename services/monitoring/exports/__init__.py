"""Streamed exports of households (with members) and cases for provincial systems (数据导出)."""
