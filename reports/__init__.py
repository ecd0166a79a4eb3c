"""Reports over stored rnnbench results (tables, plots, HTML)."""
