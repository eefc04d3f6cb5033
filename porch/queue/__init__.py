"""The queue: jobs, per-key concurrency, channels for messages, sessions, the runner."""
