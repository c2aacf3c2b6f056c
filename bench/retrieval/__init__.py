"""Retrieval evaluation: the questions (``gold``), what a context is worth (``metrics``), and the methods
measured, lexgraph (``lexgraph``) beside the baselines (``baselines``, over the units of ``tables``).

``gold`` and ``metrics`` need only lexgraph itself; the methods need the ``eval`` extra."""
