"""Department warnings (行业部门预警) and leads (线索), and the rules that raise them."""
