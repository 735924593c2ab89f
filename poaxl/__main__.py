"""``python -m poaxl`` runs the command line."""
from poaxl.cli import main

main(prog_name="poaxl")
