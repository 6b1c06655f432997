"""Availability and meetings (F3–F5): models, `selectors` (reads), `services` (writes,
one transaction each), the emails and bell lines they send, and the calendar feed.

The maths is kept apart from the database (STYLE rule 9): `recurrence` (wall-clock
series), `slots` (the «Book Meeting» time slots) and `ics` (iTIP invitations and
subscribable feeds) never touch the ORM. Services and selectors pass them plain values
and store what comes out, so every DST corner case is tested without fixtures.
"""
