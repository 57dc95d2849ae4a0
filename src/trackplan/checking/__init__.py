"""The `check` verb: real payloads against the plan at a ref. `checker` validates one payload
(shape detection, compiled schemas), `run` streams a file of them into a report and applies
the `--max-invalid` verdict, `text` renders that report for a terminal."""
