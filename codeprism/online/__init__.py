"""The online review path: secrets, the per-review pipeline and its warehouse records."""
