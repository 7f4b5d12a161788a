"""The FIT binary protocol: encode and decode messages (pure, no I/O)."""
