"""Household incomes (家庭收入) and the monitoring line (监测标准) they are compared with."""
