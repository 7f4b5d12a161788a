"""`python -m retrorun` runs the command line."""

from retrorun.cli import run

if __name__ == "__main__":
    run()
