"""Schema revisions, oldest first: 0001 to 0004 are the steps of the retired numbered
migrator (``schema_version`` 1 to 4), each written for what it changed at the time."""
