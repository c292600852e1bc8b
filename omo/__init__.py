"""Open Model Observatory: command-line entry point lives in omo.cli."""
