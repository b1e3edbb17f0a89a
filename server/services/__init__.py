"""Rules on top of the repositories: what a terminal or an admin may do."""
