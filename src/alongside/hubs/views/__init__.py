"""Talking Points pages. Each module lists its own URLs."""
