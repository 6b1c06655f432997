"""Pure scheduling maths: recurrence expansion, free-slot finding and calendar files.

Nothing in this package touches the ORM or the database (STYLE rule 9): services pass
plain values in and store what comes out, so every DST corner case can be tested without
fixtures. Modules: `recurrence` (wall-clock series), `slots` (the «Book Meeting» time
slots) and `ics` (iTIP invitations and subscribable feeds).
"""
