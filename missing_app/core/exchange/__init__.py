"""Import and export: the generic CSV files and SSDA903."""
