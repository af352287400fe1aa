"""Cross-cutting pieces every domain uses: types, errors, permissions, audit, mail, text."""
