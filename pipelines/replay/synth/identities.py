"""Repo ids, users, teams and object ids of the synthetic hub, drawn from its one random stream.

Ids are claimed through one hash per id (not the ids themselves), so memory stays small at a million models.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime

from pipelines.replay.synth import names


class Identities:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[int] = set()
        self.user_count = 0
        self.teams: list[list[str]] = []

    def oid(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def mongo_id(self, created: datetime) -> str:
        return f"{int(created.timestamp()):08x}{self.rng.getrandbits(64):016x}"

    def free(self, rid: str) -> bool:
        """Claim a repo id (ids are unique regardless of letter case, as on the Hub); False if taken."""
        h = int.from_bytes(hashlib.blake2b(rid.lower().encode(), digest_size=8).digest(), "big")
        if h in self.used:
            return False
        self.used.add(h)
        return True

    def claim(self, author: str, name: str) -> str:
        base = name
        k = 1
        while not self.free(f"{author}/{name}"):
            k += 1
            name = f"{base}-{k}"
        return f"{author}/{name}"

    def user(self) -> str:
        """A growing population with heavy-tailed activity: earlier users come back often."""
        rng = self.rng
        if self.user_count and rng.random() < 0.62:
            k = int(self.user_count * rng.random() ** 2.5)
        else:
            k = self.user_count
            self.user_count += 1
        return names.handle(k)

    def team(self) -> list[str]:
        rng = self.rng
        if self.teams and rng.random() < 0.7:
            return rng.choice(self.teams)
        team = [self.user() for _ in range(rng.randint(2, 5))]
        self.teams.append(team)
        return team
