"""The one error a parser raises for input it cannot take: its message is the quarantine reason."""


class ParseError(ValueError):
    """Input that is not what the parser reads (empty, truncated, another format, another act …).

    The message must say specifically what is wrong, so that a quarantined document can be fixed.
    """
