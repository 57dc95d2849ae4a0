"""The `diff` verb: two refs (or the work tree) into change records. `rules` is the change-rule
catalogue, `schema` compares JSON Schemas keyword by keyword, `events` compares events and
whole plans, `records` holds the change records and the result, `run` reads the two refs
and diffs only the files that changed."""
