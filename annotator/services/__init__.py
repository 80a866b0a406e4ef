"""Writes and business rules, one module per domain. Views and tasks call these."""
