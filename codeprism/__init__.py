"""codeprism: self-hosted code review and org-wide code audit on Ray."""

__version__ = "0.1.0"
