"""Read-only pages: the region's decisions and letters, the public allocation list, the auditor's
history. Nothing here writes; the officer's pages are in allocation/views_officer.py."""
