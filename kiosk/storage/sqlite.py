"""The SQLite module the terminal opens its stores with, and its error types.

Every connection of the terminal's process goes through ``connect``: two SQLite
libraries in one process (the standard module's and SQLCipher's) do not see each other's
POSIX locks, and closing a file in one drops the locks the other holds on it, which
breaks WAL files ("disk I/O error") and can lose writes. Other processes (``kiosk
doctor``) may use either.

The terminal's connection is a SQLCipher one (``sqlcipher3``): the punch store stays a
plain SQLite file, and the message cache is attached to the same connection, encrypted.
``sqlcipher3`` has its own exception classes, not the standard ``sqlite3`` ones; the
tuples here catch both, since the doctor and the integrity check read the plain punch
store with the standard module.
"""

from __future__ import annotations

import sqlite3

from sqlcipher3 import dbapi2 as sqlcipher

connect = sqlcipher.connect

Error = (sqlite3.Error, sqlcipher.Error)
OperationalError = (sqlite3.OperationalError, sqlcipher.OperationalError)
DatabaseError = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
IntegrityError = (sqlite3.IntegrityError, sqlcipher.IntegrityError)
InterfaceError = (sqlite3.InterfaceError, sqlcipher.InterfaceError)
ProgrammingError = (sqlite3.ProgrammingError, sqlcipher.ProgrammingError)
DataError = (sqlite3.DataError, sqlcipher.DataError)
# Exactly "DatabaseError" (not a subclass): SQLite's "malformed" or "not a database".
PLAIN_DATABASE_ERRORS = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
