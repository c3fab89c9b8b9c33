"""The project library (项目库) and each project's life, from proposal to acceptance (验收)."""
