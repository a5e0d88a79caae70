"""`python -m summary`: the command line."""

from summary.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
