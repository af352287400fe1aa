"""Counting the ballots and filling the seats (pure functions, standard library only).

Plurality: candidates are ranked by votes, the first seat (titular) goes to the most voted,
the second (suplente) to the next. A seat needs at least one vote; a seat nobody can fill stays
vacant. When candidates with the same number of votes compete for a seat (which seat, or
whether they get one), the order among them is drawn: each tied candidate's key is
SHA-256(seed || final head hash || candidate code) (ASCII, hexadecimal), and the lowest key
goes first. The seed's hash was published when voting opened and the seed is revealed at the
close; the head hash is only known after the close, so nobody could steer the draw, and anyone
can recompute it from the published ballot box.
"""
import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field


def draw_key(seed: str, head_hash: str, code: str) -> str:
    return hashlib.sha256((seed + head_hash + code).encode("ascii")).hexdigest()


@dataclass
class Seat:
    kind: str
    winner: str | None  # a candidate's code, or None when the seat stays vacant
    votes: int


@dataclass
class Draw:
    """A tie that decided a seat, and how it was broken."""

    votes: int
    candidates: list[str]  # in the drawn order
    keys: dict[str, str]
    seats: list[str]  # the seats whose holder the draw decided


@dataclass
class Tally:
    counts: dict[str, int]
    blank: int
    ballots: int
    roll_size: int
    seats: list[Seat]
    ranking: list[str]
    draws: list[Draw] = field(default_factory=list)

    @property
    def turnout(self) -> float:
        return self.ballots / self.roll_size if self.roll_size else 0.0

    def as_dict(self) -> dict:
        return {
            "counts": dict(sorted(self.counts.items())),
            "blank": self.blank,
            "ballots": self.ballots,
            "roll_size": self.roll_size,
            "seats": [asdict(seat) for seat in self.seats],
            "ranking": list(self.ranking),
            "draws": [asdict(draw) for draw in self.draws],
        }


def count(choices, candidate_codes) -> tuple[dict[str, int], int]:
    """Votes per candidate code (every candidate listed, zero included) and blank ballots."""
    known = set(candidate_codes)
    counts = dict.fromkeys(sorted(known), 0)
    blank = 0
    for choice in choices:
        if choice is None:
            blank += 1
        elif choice in known:
            counts[choice] += 1
        else:
            raise ValueError(f"a ballot names an unknown candidate {choice!r}")
    return counts, blank


def tally(choices, candidate_codes, seats, *, seed: str, head_hash: str, roll_size: int) -> Tally:
    choices = list(choices)
    counts, blank = count(choices, candidate_codes)
    keys = {code: draw_key(seed, head_hash, code) for code in counts}
    voted = [code for code, n in counts.items() if n > 0]
    ranking = sorted(voted, key=lambda code: (-counts[code], keys[code]))

    filled = [
        Seat(kind=kind, winner=ranking[i] if i < len(ranking) else None,
             votes=counts[ranking[i]] if i < len(ranking) else 0)
        for i, kind in enumerate(seats)
    ]

    draws = []
    groups = Counter(counts[code] for code in ranking)
    for votes, size in sorted(groups.items(), reverse=True):
        if size < 2:
            continue
        positions = [i for i, code in enumerate(ranking) if counts[code] == votes]
        decided = [seats[i] for i in positions if i < len(seats)]
        if not decided:
            continue
        tied = [ranking[i] for i in positions]
        draws.append(Draw(votes=votes, candidates=tied, keys={c: keys[c] for c in tied},
                          seats=decided))
    return Tally(counts=counts, blank=blank, ballots=len(choices), roll_size=roll_size,
                 seats=filled, ranking=ranking, draws=draws)
