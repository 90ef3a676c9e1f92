"""What every logged-in request costs besides its view's own queries, in Django's own words:
1 the user (ModelBackend), 2 their groups (the role checks), and the session saved after the
response so that it ends 30 minutes after the last request (SESSION_SAVE_EVERY_REQUEST):
3 a savepoint, 4 the session's UPDATE, 5 its release. The session itself is read from the
cache (cached_db)."""

LOGGED_IN = 5
