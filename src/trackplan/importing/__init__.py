"""The `import` verb: an external plan into one commit. `merge` applies Avo's and itly's
methods to the plan, `incremental` re-imports only what changed in an Avo export, `run` is
the use case (detect, guard, merge, diff, commit)."""
