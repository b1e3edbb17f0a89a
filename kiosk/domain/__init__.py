"""What the terminal means: a badge becomes a punch and a greeting, a message is read,
acknowledged or sent, a session starts and ends, what expired is forgotten.

Plain Python over one SQLite connection: no threads, no Kivy, no network.  Each action
writes its outbox row in the same transaction (``kiosk.storage.outbox``).
"""
