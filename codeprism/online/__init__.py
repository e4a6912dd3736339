"""The online review path: secrets, the per-review settings and pull request filters, the
per-review pipeline and its warehouse records."""
