"""The only users of pygit2 (`store`, with the object formats in `objects`) and of the git
executable (`remote`)."""
