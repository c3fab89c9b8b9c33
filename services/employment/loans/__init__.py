"""Microcredit (脱贫人口小额信贷): applications checked with the monitoring service, schedules,
repayments, extensions, renewals, write-offs, and what is overdue."""
