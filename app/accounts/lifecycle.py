"""What the other areas do when an account goes, and what they add to its personal-data export.

The accounts area is the foundation: it imports no area above it. An area that keeps data about
people registers here, in its own `hooks.py` (imported by create_app):

    @on_account_deleted
    def _release_seats(user): ...            # runs inside delete_account's unit of work

    @export_section
    def _tables(user_id) -> dict: ...        # {"table_registrations": [...], ...}

Deletion hooks run in registration order, after the account's own fields are cleared and before
the audit entry; export sections are merged into the export in registration order, each a fixed
number of queries.
"""
from collections.abc import Callable
from typing import Any

# Thread-safe: both lists are filled only while modules are imported (before the first request)
# and only read afterwards.
_DELETION_HOOKS: list[Callable[[Any], None]] = []
_EXPORT_SECTIONS: list[Callable[[int], dict]] = []


def on_account_deleted(hook: Callable[[Any], None]) -> Callable[[Any], None]:
    if hook not in _DELETION_HOOKS:
        _DELETION_HOOKS.append(hook)
    return hook


def export_section(section: Callable[[int], dict]) -> Callable[[int], dict]:
    if section not in _EXPORT_SECTIONS:
        _EXPORT_SECTIONS.append(section)
    return section


def account_deleted(user) -> None:
    for hook in _DELETION_HOOKS:
        hook(user)


def exported_sections(user_id: int) -> dict:
    data: dict = {}
    for section in _EXPORT_SECTIONS:
        part = section(user_id)
        clash = set(part) & set(data)
        if clash:
            raise RuntimeError(f"export sections written twice: {sorted(clash)}")
        data.update(part)
    return data
