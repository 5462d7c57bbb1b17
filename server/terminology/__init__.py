"""Job-level QA: glossary terms, do-not-translate lists and consistency across a job.

- `matching.py`: finding terms in text, tolerant of case and inflection (stems) or by characters.
- `check.py`: the terminology check over one segment (`terminology`, `forbidden_term`,
  `do_not_translate` flags).
- `store.py`: the named glossaries a server loads at start and the glossaries requests send,
  each compiled once per language pair.
- `session.py`: the checks of one request or stream: which glossary each segment uses, and the
  consistency index (`inconsistent_translation`, from `lacuna.consistency`).
"""
