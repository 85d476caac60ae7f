"""Reminders: the rules, their delivery, the scheduler that runs them, desktop notifications."""
