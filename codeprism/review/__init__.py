"""LLM review: diff rendering, prompt budget, agents, output schema and merging."""
