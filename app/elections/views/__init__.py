"""Pages of elections, by audience, all on the `elections` blueprint: the public pages (public.py),
the organisations that nominate and vote and the people they nominate (voting.py), and the
guarantor body that runs the elections (manage.py). Thin views over elections.services."""
from app.elections.views import manage, public, voting  # noqa: F401  (each adds its routes)
