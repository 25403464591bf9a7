"""`python -m dangjian`: the command line."""

from dangjian.cli.main import main

main()
