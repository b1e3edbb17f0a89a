"""State changes made by people (the CLI, the console): each function calls the
repository functions that write and record the change log, then records the audit
entry, in the caller's transaction. The CLI and the console both call these, so a
change never skips the change log (terminals hear of it) nor the audit log."""
