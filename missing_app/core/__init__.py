"""Everything that is not Qt: usable from the command line, tests and a notebook."""
