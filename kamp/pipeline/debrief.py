"""The people a debrief names (the tender's decision-making unit), one a line:
``Name; title; role[, role…]`` — read into dicts. Pure: no Django."""

from __future__ import annotations

from dataclasses import dataclass

# Accepted spellings of each DMU role (English and Spanish), folded to kamp's keys.
ROLE_WORDS = {
    "user": "user",
    "usuario": "user",
    "influencer": "influencer",
    "influenciador": "influencer",
    "influyente": "influencer",
    "buyer": "buyer",
    "comprador": "buyer",
    "decider": "decider",
    "decisor": "decider",
    "gatekeeper": "gatekeeper",
    "filtro": "gatekeeper",
    "initiator": "initiator",
    "iniciador": "initiator",
    "champion": "champion",
    "promotor": "champion",
    "campeón": "champion",
}


@dataclass(frozen=True)
class Person:
    name: str
    title: str
    roles: tuple[str, ...]


class DebriefError(ValueError):
    def __init__(self, line: int, word: str):
        super().__init__(f"line {line}: unknown role {word!r}")
        self.line = line
        self.word = word


def parse_people(text: str) -> list[Person]:
    """Each non-empty line ``Name; title; roles`` (title and roles optional; roles separated by
    commas). An unknown role raises :class:`DebriefError` naming the line."""
    people = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = [p.strip() for p in raw.split(";")]
        if not parts[0]:
            continue
        title = parts[1] if len(parts) > 1 else ""
        roles: list[str] = []
        for word in (parts[2] if len(parts) > 2 else "").split(","):
            word = word.strip().lower()
            if not word:
                continue
            if word not in ROLE_WORDS:
                raise DebriefError(number, word)
            if ROLE_WORDS[word] not in roles:
                roles.append(ROLE_WORDS[word])
        people.append(Person(parts[0], title, tuple(roles)))
    return people
