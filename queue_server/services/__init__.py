"""Application services: one transaction per use case, events published after commit."""
