"""Normalisers shared by the enforcement parsers: dates, money, countries, authorities, organisations,
cited articles. Each reads one kind of value as sources write it and raises ValueError, with a message
fit to be a quarantine reason, when it cannot."""

from parsers.normalise._keys import match_key

__all__ = ["match_key"]
