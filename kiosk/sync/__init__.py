"""Terminal-side sync: the outbox written with each action, and the worker that drains it."""
