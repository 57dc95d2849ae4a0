"""CODEOWNERS from the plan: who reviews each event and tracking-plan file, in a block of
`.github/CODEOWNERS` that `trackplan codeowners` writes and `--check` and `ci` compare."""
