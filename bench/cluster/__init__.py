"""Past one machine: launch a suite's shards as jobs (submitit: local processes or SLURM) and gather them."""
