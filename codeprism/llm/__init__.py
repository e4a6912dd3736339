"""LLM engines for the review agents: one interface, three back ends (see `engines.py`)."""
