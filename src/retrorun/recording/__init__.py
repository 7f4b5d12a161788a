"""Session logs and activity exports."""
