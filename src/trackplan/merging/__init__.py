"""Semantic 3-way merge of plan files: the pure merge of parsed documents (`documents`), how
each kind of plan file merges (`kinds`), `x-version` after a merge (`versions`), the merged
text with conflict markers (`text`), one file (`files`), and the verbs (`run`)."""
