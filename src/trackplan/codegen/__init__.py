"""Typed tracking code from the plan (`trackplan codegen`) and how much of it an app calls
(`trackplan status`).

`shapes` and `library` decide every name and type in Python; `typescript` and `python` only
spell them. `run` is the codegen use case, `status` the scanner (with `ignore` for the
`.gitignore` rules), `tracking_plans` reads `--plan`'s files. The choices below are here so
the command line can offer them without importing the rest.
"""

LANGUAGE_NAMES = ("ts", "python")
VALIDATE_MODES = ("none", "dev", "always")
STATUS_FAIL_ON = ("missing", "unknown")
