"""The `validate` verb: the lint rule catalogue (`rules`), the per-file and whole-plan rules
(`file_rules`, `plan_rules`), findings and their positions (`findings`), the plan's lint
configuration (`config`), and the entry points `lint_files` and `lint_ref` (`run`)."""
