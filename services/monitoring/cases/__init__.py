"""Cases: the identification (识别纳入) and risk-elimination (风险消除) procedures, step by step
from the village to the county, and the record of an elimination reversed (风险消除回退)."""
