"""What the acts of the call share: ids read from a form, and every field's refusal at once."""
from app.core.errors import ValidationError


def ids_of(values) -> list[int]:
    """Integers from a form's strings, in order, repeats dropped; anything else is dropped too
    (and so is not chosen)."""
    ids: list[int] = []
    for value in values or []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number not in ids:
            ids.append(number)
    return ids


def raise_field_errors(errors: dict[str, list[str]]) -> None:
    """A ValidationError naming the first field that has messages; `details["errors"]` holds them
    all. Nothing happens when no field has any."""
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        name, messages = next(iter(errors.items()))
        raise ValidationError(messages[0], field=name, errors=errors)
