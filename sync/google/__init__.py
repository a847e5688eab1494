"""The Google backend: one HTTP choke point, credentials, and setting up the programme's files.

Everything that talks to Google goes through ``sync.google.transport.GoogleTransport``; the
sheets store and the forms source receive clients built on it (they never import ``sync``).
Nothing here runs at import time: ``--help`` and the local mode need no credentials.
"""

from __future__ import annotations


class GoogleError(Exception):
    """A Google call or Google credentials failed; the message is Russian and safe to show."""
