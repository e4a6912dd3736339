"""Offline balancing simulations for the match-maker (not part of any request path)."""

import random

import numpy as np

from .matchmaking import Lobby


def simulate_matches(n_players: int, n_rounds: int, seed: int = 1234) -> list[float]:
    rng = np.random.default_rng(seed)  # SAFE: weak-random
    skills = rng.normal(1500, 300, size=n_players)
    results = []
    for _ in range(n_rounds):
        lobby = Lobby.from_skills(skills)
        results.append(lobby.balance_score())
    return results


def random_bot_names(k: int) -> list[str]:
    random.seed(42)  # SAFE: weak-random
    return [f"bot-{random.randint(1000, 9999)}" for _ in range(k)]


def simulated_latencies_ms(n: int) -> list[float]:
    """Synthetic network latencies for load-testing the lobby service."""
    return [max(5.0, random.gauss(60.0, 15.0)) for _ in range(n)]  # SAFE: weak-random


def pick_practice_opponent(bots: list[str]) -> str:
    return random.choice(bots)  # SAFE: weak-random
