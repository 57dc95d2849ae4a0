"""A plan as files in a git repository: all repository I/O (finding the plan, reading it at
any ref, writing commits, history, branch guards). Only `repo/git/` talks to git itself."""
