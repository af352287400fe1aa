"""Property-based tests of the count, the chain and the verifier (no database).

For random electorates and ballots: the tally equals an independent recount written here (a
different algorithm: seat by seat, the most voted remaining candidate, ties drawn by hashing
directly), and the verifier accepts the box and rejects any changed value or byte, any removed,
added or reordered entry.
"""
import copy
import hashlib
import io
import json
import secrets
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.elections import chain, tally, verify

SEATS = [["cs_titular", "cs_suplente"], ["cs_titular"]]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw, max_roll: int = 30):
    n_candidates = draw(st.integers(min_value=1, max_value=6))
    codes = draw(st.lists(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=6, max_size=6),
                          min_size=n_candidates, max_size=n_candidates, unique=True))
    roll_size = draw(st.integers(min_value=1, max_value=max_roll))
    voters = draw(st.integers(min_value=0, max_value=roll_size))
    # Few distinct options make ties frequent.
    choices = draw(st.lists(st.sampled_from([*codes, None]), min_size=voters, max_size=voters))
    seats = draw(st.sampled_from(SEATS))
    seed = draw(st.binary(min_size=32, max_size=32)).hex()
    names = draw(st.lists(st.text(min_size=1, max_size=12), min_size=n_candidates,
                          max_size=n_candidates))
    return {"codes": codes, "roll_size": roll_size, "choices": choices, "seats": seats,
            "seed": seed, "names": names}


def build_box(e: dict, election_id: int = 7) -> dict:
    """A complete published box, assembled the way the site does it."""
    roll = [{"id": 100 + i, "name": f"Organización {i} Ñandú", "voted": i < len(e["choices"])}
            for i in range(e["roll_size"])]
    header = chain.box_header(
        election_id=election_id, title="Elección de prueba", committee="Comité",
        seats=e["seats"],
        candidates=[{"code": c, "name": n, "organisation": f"Org {c}"}
                    for c, n in zip(e["codes"], e["names"], strict=True)],
        roll_hash_=chain.roll_hash(roll), commitment=chain.seed_commitment(e["seed"]),
        voting_opens_at="2026-03-01T15:00:00Z", voting_closes_at="2026-03-03T15:00:00Z",
    )
    genesis = chain.genesis_hash(header)
    digests = [chain.receipt_digest(chain.new_receipt()) for _ in e["choices"]]
    entries = chain.build_entries(election_id, genesis, zip(digests, e["choices"], strict=True))
    prev = entries[-1]["entry_hash"] if entries else genesis
    voted = [r["id"] for r in roll if r["voted"]]
    entries.append(chain.close_entry(election_id, len(entries) + 1, prev, chain.voted_hash(voted),
                                     "2026-03-03T15:00:00Z", None))
    head = entries[-1]["entry_hash"]
    result = tally.tally(e["choices"], e["codes"], e["seats"], seed=e["seed"], head_hash=head,
                         roll_size=e["roll_size"])
    return chain.box_document(header, roll, e["seed"], entries, {**result.as_dict(), "head_hash": head})


def independent_recount(choices, codes, seats, seed, head):
    """Seat by seat: the most voted remaining candidate (at least one vote); ties by the draw."""
    votes = Counter(c for c in choices if c is not None)
    key = {c: hashlib.sha256(f"{seed}{head}{c}".encode()).hexdigest() for c in codes}
    remaining = [c for c in codes if votes[c] > 0]
    winners, decided = [], {}
    for seat in seats:
        if not remaining:
            winners.append(None)
            continue
        top = max(votes[c] for c in remaining)
        tied = [c for c in remaining if votes[c] == top]
        if len([c for c in codes if votes[c] == top]) > 1:
            decided.setdefault(top, []).append(seat)
        chosen = min(tied, key=lambda c: key[c])
        winners.append(chosen)
        remaining.remove(chosen)
    return votes, sum(1 for c in choices if c is None), winners, decided


def quietly(box, receipt=None) -> bool:
    return verify.verify(box, receipt=receipt, out=io.StringIO())


@FAST
@given(elections())
def test_published_count_and_winners_equal_an_independent_recount(e):
    box = build_box(e)
    result = box["result"]
    votes, blank, winners, decided = independent_recount(e["choices"], e["codes"], e["seats"],
                                                          e["seed"], box["head_hash"])
    assert result["counts"] == {c: votes[c] for c in e["codes"]}
    assert result["blank"] == blank
    assert result["ballots"] == len(e["choices"]) and result["roll_size"] == e["roll_size"]
    assert [s["winner"] for s in result["seats"]] == winners
    assert [s["votes"] for s in result["seats"]] == [votes[w] if w else 0 for w in winners]
    # Ties: flagged exactly when a tie decided a seat, with every tied candidate in the draw.
    assert {d["votes"]: d["seats"] for d in result["draws"]} == decided
    for draw in result["draws"]:
        assert sorted(draw["candidates"]) == sorted(c for c in e["codes"] if votes[c] == draw["votes"])
        assert draw["candidates"] == sorted(draw["candidates"], key=lambda c: draw["keys"][c])


@FAST
@given(elections())
def test_the_verifier_accepts_every_honest_box(e):
    assert quietly(build_box(e))


@FAST
@given(elections(), st.data())
def test_the_verifier_rejects_any_changed_value(e, data):
    box = build_box(e)
    leaves = list(_leaves(box))
    path = data.draw(st.sampled_from(leaves))
    changed = copy.deepcopy(box)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = _other(parent[path[-1]])
    assert not quietly(changed), path


@settings(max_examples=100, deadline=None)
@given(elections(max_roll=8), st.data())
def test_the_verifier_rejects_any_changed_byte(e, data):
    box = build_box(e)
    text = json.dumps(box, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    index = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    byte = data.draw(st.integers(min_value=32, max_value=126).filter(lambda b: b != text[index]))
    mutated = text[:index] + bytes([byte]) + text[index + 1:]
    try:
        parsed = json.loads(mutated)
    except ValueError:
        return  # not even JSON: nobody could pass it off as the box
    if parsed == box:
        return  # the same data spelled differently (e.g. \u00F1 for \u00f1)
    assert not quietly(parsed), (index, chr(byte))


@FAST
@given(elections(), st.data())
def test_the_verifier_rejects_removed_added_or_reordered_entries(e, data):
    box = build_box(e)
    entries = box["entries"]
    action = data.draw(st.sampled_from(["remove", "duplicate", "add", "swap"]))
    changed = copy.deepcopy(box)
    if action == "remove":
        del changed["entries"][data.draw(st.integers(0, len(entries) - 1))]
    elif action == "duplicate":
        i = data.draw(st.integers(0, len(entries) - 1))
        changed["entries"].insert(i, copy.deepcopy(entries[i]))
    elif action == "add":
        # A well-formed extra ballot appended after the last one, re-chaining the close.
        ballots = [(x["receipt_digest"], x["choice"]) for x in entries[:-1]]
        ballots.append((chain.receipt_digest(chain.new_receipt()), e["codes"][0]))
        rebuilt = chain.build_entries(box["header"]["election"], box["genesis_hash"], ballots)
        close = entries[-1]
        rebuilt.append(chain.close_entry(box["header"]["election"], len(rebuilt) + 1,
                                         rebuilt[-1]["entry_hash"], close["voted_hash"],
                                         close["closed_at"], None))
        changed["entries"] = rebuilt
        changed["head_hash"] = rebuilt[-1]["entry_hash"]
    else:
        if len(entries) < 2:
            return
        i, j = data.draw(st.lists(st.integers(0, len(entries) - 1), min_size=2, max_size=2,
                                  unique=True))
        changed["entries"][i], changed["entries"][j] = changed["entries"][j], changed["entries"][i]
    assert not quietly(changed), action


def test_a_receipt_is_found_only_in_the_box_that_holds_it():
    e = {"codes": ["AAAAAA", "BBBBBB"], "roll_size": 3, "choices": ["AAAAAA", None],
         "seats": SEATS[0], "seed": secrets.token_hex(32), "names": ["Ana", "Beto"]}
    box = build_box(e)
    assert quietly(box)
    assert not quietly(box, receipt=chain.new_receipt())
    # A box whose first ballot carries this voter's receipt: found, with its position and choice.
    code = chain.new_receipt()
    header, seed = box["header"], e["seed"]
    ballots = [(chain.receipt_digest(code), "AAAAAA"), (box["entries"][1]["receipt_digest"], None)]
    entries = chain.build_entries(7, box["genesis_hash"], ballots)
    close = box["entries"][-1]
    entries.append(chain.close_entry(7, 3, entries[-1]["entry_hash"], close["voted_hash"],
                                     close["closed_at"], None))
    head = entries[-1]["entry_hash"]
    recount = tally.tally(["AAAAAA", None], e["codes"], e["seats"], seed=seed, head_hash=head,
                          roll_size=3)
    mine = chain.box_document(header, box["roll"]["entries"], seed, entries,
                              {**recount.as_dict(), "head_hash": head})
    out = io.StringIO()
    assert verify.verify(mine, receipt=chain.format_receipt(code).lower(), out=out)
    assert "position 1" in out.getvalue()


def test_a_two_way_tie_for_the_titular_seat_is_drawn_and_recorded():
    seed = "ab" * 32
    head = "cd" * 32
    result = tally.tally(["AAAAAA", "BBBBBB", "AAAAAA", "BBBBBB", None], ["AAAAAA", "BBBBBB"],
                         SEATS[0], seed=seed, head_hash=head, roll_size=5)
    keys = {c: hashlib.sha256((seed + head + c).encode()).hexdigest() for c in ("AAAAAA", "BBBBBB")}
    first = min(keys, key=keys.get)
    assert result.seats[0].winner == first
    assert [d.seats for d in result.draws] == [["cs_titular", "cs_suplente"]]
    assert result.draws[0].keys == keys


def test_a_seat_needs_a_vote():
    result = tally.tally([None, None], ["AAAAAA", "BBBBBB"], SEATS[0], seed="0" * 64,
                         head_hash="1" * 64, roll_size=2)
    assert [s.winner for s in result.seats] == [None, None]
    assert result.blank == 2 and result.draws == []


def test_an_unknown_choice_is_refused_by_the_count():
    import pytest

    with pytest.raises(ValueError):
        tally.count(["ZZZZZZ"], ["AAAAAA"])


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path


def _other(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return "AAAAAA"
    if isinstance(value, str):
        if not value:
            return "x"
        last = value[-1]
        return value[:-1] + ("0" if last != "0" else "1")
    raise AssertionError(value)
