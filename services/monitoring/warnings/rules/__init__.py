"""Warning rules (预警规则): data per province, versioned, evaluated against feed records."""
