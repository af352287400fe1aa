"""Password hashing (argon2id) and the strength rule: length, zxcvbn, not the user's name or email."""
import re
import threading
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3
ZXCVBN_MAX_LENGTH = 72

# Thread-safe: zxcvbn() stores the user's own words in a module-level dictionary of the zxcvbn
# package (matching.RANKED_DICTIONARIES["user_inputs"]) before matching, so two checks at once
# could judge one person's password against another's name. One check at a time, under this lock.
_zxcvbn_lock = threading.Lock()


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int) -> PasswordHasher:
    # Thread-safe: lru_cache is documented as thread-safe, and a PasswordHasher keeps only its
    # immutable parameters (each hash or verify allocates its own Argon2 context).
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def _hasher() -> PasswordHasher:
    return _hasher_for(current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        # Spend the same time as a real check, so timing does not reveal unknown accounts.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


# zxcvbn's warnings in Spanish: the estimator's English text never reaches the user.
_WARNINGS = {
    "This is a top-10 common password.": "password_common",
    "This is a top-100 common password.": "password_common",
    "This is a very common password.": "password_common",
    "This is similar to a commonly used password.": "password_common",
    "A word by itself is easy to guess.": "password_word",
    "Names and surnames by themselves are easy to guess.": "password_name",
    "Common names and surnames are easy to guess.": "password_name",
    "Straight rows of keys are easy to guess.": "password_keyboard",
    "Short keyboard patterns are easy to guess.": "password_keyboard",
    'Repeats like "aaa" are easy to guess.': "password_repeat",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "password_repeat",
    "Sequences like abc or 6543 are easy to guess.": "password_sequence",
    "Recent years are easy to guess.": "password_dates",
    "Dates are often easy to guess.": "password_dates",
}


def _warning_text(code: str | None) -> str:
    texts = {
        "password_common": _("It is one of the most commonly used passwords."),
        "password_word": _("A single word is easy to guess."),
        "password_name": _("Names and surnames are easy to guess."),
        "password_keyboard": _("Rows or patterns of keys are easy to guess."),
        "password_repeat": _("Repeated characters or groups are easy to guess."),
        "password_sequence": _("Sequences such as abc or 6543 are easy to guess."),
        "password_dates": _("Dates and years are easy to guess."),
    }
    return texts.get(code, "")


def password_problems(password: str, name: str = "", email: str = "") -> list[str]:
    """Why a password is not acceptable, in the user's language; empty when it is fine."""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(n)d characters.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(n)d characters.", n=MAX_LENGTH)]
    folded = _fold(password)
    personal = []
    local_part = (email or "").split("@")[0]
    for piece in [local_part, *re.split(r"[\s.\-_]+", name or ""), *re.split(r"[.\-_+]+", local_part)]:
        piece = _fold(piece)
        if len(piece) >= 4 and piece in folded:
            personal.append(piece)
    if personal:
        return [_("Do not include your name or email address in the password.")]
    # zxcvbn refuses (ValueError) passwords longer than 72 characters; a passphrase that long
    # is judged on its first 72, which is plenty to tell a weak one.
    with _zxcvbn_lock:
        result = zxcvbn(
            password[:ZXCVBN_MAX_LENGTH], user_inputs=[name, email, local_part, "cocrea", "durango"]
        )
    if result["score"] < MIN_SCORE:
        problems = [
            _(
                "This password is too easy to guess. Try a phrase of several unrelated words "
                "or add less common words."
            )
        ]
        warning = _warning_text(_WARNINGS.get(result["feedback"].get("warning") or ""))
        if warning:
            problems.append(warning)
        return problems
    return []
