"""The `ci` verb: what a pull request runs. `run` lints, diffs against the PR base and posts
the review; `github` owns the GitHub environment (the pull request, outputs, job summary and
the sticky comment); `review` holds the exit-code rules `diff` and `ci` share."""
