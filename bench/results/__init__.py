"""Results: the record schema, the results store, the history, baselines, and safe file writes (`atomic`)."""
