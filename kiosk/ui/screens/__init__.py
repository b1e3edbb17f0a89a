"""One module and one .kv file per screen; ``base.KioskScreen`` holds the shared hooks."""
