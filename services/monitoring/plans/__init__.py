"""Help plans (帮扶计划) with their responsible helper (帮扶责任人); help measures (帮扶措施)."""
