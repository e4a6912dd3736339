"""Test doubles that speak the real protocols: a GitHub REST server and git remotes."""
