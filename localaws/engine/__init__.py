"""Where code runs: the Lambda runtime (one in-process container per function, its environment,
limits and errors) and the per-function module isolation it loads handlers into."""
