"""One page of a long list: its items, the total, and the page numbers to link (read by
templates/_macros/pagination.html)."""
from dataclasses import dataclass


def clamp_page(value, default: int = 1) -> int:
    """A page number from a query string: a whole number from 1, anything else `default`."""
    try:
        page = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(page, 1_000_000))


@dataclass
class Page:
    items: list
    total: int
    page: int  # from 1
    per_page: int
    # The number of pages; 0: from the total (a list that knows better, such as one whose count
    # stops at a cap, sets it).
    pages: int = 0

    def __post_init__(self):
        if not self.pages:
            self.pages = max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first item in the whole list; 0 when empty."""
        return self.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.items) if self.items else 0

    def numbers(self, around: int = 2, with_last: bool = True) -> list[int | None]:
        """Page numbers to link, with None where a gap is shown: 1 … 4 5 [6] 7 8 … 20 (without
        the last page, for a list that does not know it: 1 … 4 5 [6] 7)."""
        wanted = {1, *range(self.page - around, self.page + around + 1)}
        if with_last:
            wanted.add(self.pages)
        result: list[int | None] = []
        for n in sorted(n for n in wanted if 1 <= n <= self.pages):
            if result and n - result[-1] > 1:
                result.append(None)
            result.append(n)
        return result
