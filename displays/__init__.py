"""Antre displays: lobby and counter boards (not built yet; they parse the contract's models)."""
