"""One page of a long list: its items, the total, and the page numbers to link (read by
templates/_macros/pagination.html)."""
from dataclasses import dataclass


@dataclass
class Page:
    items: list
    total: int
    page: int  # from 1
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

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

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, with None where a gap is shown: 1 … 4 5 [6] 7 8 … 20."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        result: list[int | None] = []
        for n in sorted(n for n in wanted if 1 <= n <= self.pages):
            if result and n - result[-1] > 1:
                result.append(None)
            result.append(n)
        return result
