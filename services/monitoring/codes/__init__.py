"""Code lists (代码表): categories, risk types, measures, relationships, education, ..."""
