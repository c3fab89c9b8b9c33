"""Streamed exports of projects and payments for provincial systems (数据导出)."""
