"""`python -m trackplan`: the command line, as the `trackplan` script runs it."""

from trackplan.cli import main

# Guarded: worker processes (spawned for parallel parsing) import this module again.
if __name__ == "__main__":
    main()
