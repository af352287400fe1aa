"""Small helpers shared by the progress tests."""


from tests.querycount import count_queries  # noqa: F401 - shared counter, re-exported


