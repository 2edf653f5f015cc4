"""Email: the outbox and its delivery."""
