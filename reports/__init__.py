"""rnnbench reports: tables, plots and one self-contained HTML page from stored results."""
