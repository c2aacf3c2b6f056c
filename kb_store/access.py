"""Who may read what: access labels, the roles that read them, and the view of a snapshot a role reads.

Every source carries an access label (``public`` unless its config says otherwise); a role reads
``public`` and the labels its roles file grants it. What a graph derives from its sources (which records
are one decision, a decision's date, its case) depends on which sources it sees, so a snapshot holding
labels beyond ``public`` is built once per set of labels a reader may see: a role reads the view built
from exactly the sources it may see, as if the others had never been configured. Nothing above a role's
clearance is in the graph it reads, so no query, count, trace or error message can reveal it.

A roles file::

    [roles.analyst]
    labels = ["restricted"]          # read beside "public"

    [[keys]]                         # an API key, as its sha256: the file never holds a key itself
    sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    role = "analyst"
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

PUBLIC = "public"
LABEL = r"^[a-z][a-z0-9_-]{0,31}$"
MAX_LABELS = 4  # beyond public: each set of them a reader may see is a graph of its own (2**4 at most)
_LABEL = re.compile(LABEL)


class AccessError(ValueError):
    """A roles file or a role that cannot be used; the message says which and why."""


class UnknownKey(LookupError):
    """An API key no role holds. Its message tells nothing of what the store holds."""


Clearance = frozenset[str]  # the labels a reader may see; always holds "public" (None where one is taken: all)


def clearance(labels: Iterable[str]) -> Clearance:
    return frozenset({PUBLIC, *labels})


def view_key(visible: Clearance) -> str:
    """The folder name of the view of ``visible`` labels: ``public+restricted``."""
    return "+".join(sorted(visible))


def views_of(labels: Iterable[str]) -> list[Clearance]:
    """Every set of a snapshot's labels a reader may see but the whole: the views built beside its graph."""
    extra = sorted(set(labels) - {PUBLIC})
    return [clearance(chosen) for size in range(len(extra)) for chosen in itertools.combinations(extra, size)]


def visible_in(labels: Iterable[str], reader: Clearance | None) -> Clearance | None:
    """What ``reader`` sees of a snapshot holding ``labels``: None for all of it (its graph), else the
    labels of the view to read."""
    held = clearance(labels)
    if reader is None or held <= reader:
        return None
    return held & reader


def clearance_of(role: Role | None) -> Clearance | None:
    """What ``role`` may see; no role: everything (the operator's reads)."""
    return None if role is None else role.clearance


def check_label(label: str) -> str:
    if not _LABEL.match(label):
        raise ValueError(f"not an access label: {label!r} (lower-case letters, digits, '_' or '-', "
                         "beginning with a letter)")
    return label


class Role(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    labels: tuple[str, ...] = Field(default=(), description="what it reads beside public")

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({check_label(label) for label in labels}))

    @property
    def clearance(self) -> Clearance:
        return clearance(self.labels)


class ApiKey(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="the key's sha256, in hex")
    role: str


class Roles(BaseModel):
    """The roles of a roles file and the API keys that read as them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    roles: dict[str, Role]
    keys: list[ApiKey] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("roles"), dict):
            data = {**data, "roles": {name: {**role, "name": name} if isinstance(role, dict) else role
                                      for name, role in data["roles"].items()}}
        return data

    @model_validator(mode="after")
    def _keys_name_roles(self) -> Roles:
        for key in self.keys:
            if key.role not in self.roles:
                raise ValueError(f"a key reads as role {key.role!r}, which the file does not declare "
                                 f"(roles: {', '.join(sorted(self.roles)) or 'none'})")
        return self

    @classmethod
    def load(cls, path: Path | str) -> Roles:
        path = Path(path)
        try:
            return cls.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise AccessError(f"{path}: no such roles file") from None
        except tomllib.TOMLDecodeError as exc:
            raise AccessError(f"{path}: invalid TOML: {exc}") from None
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors())
            raise AccessError(f"{path}: not a roles file: {problems}") from None

    def role(self, name: str) -> Role:
        try:
            return self.roles[name]
        except KeyError:
            raise AccessError(f"no role {name!r} in the roles file (roles: {', '.join(sorted(self.roles))})") from None

    def for_key(self, key: str) -> Role:
        """The role an API key reads as; ``UnknownKey`` for any other key, the same for every one."""
        digest = key_sha256(key)
        for held in self.keys:
            if hmac.compare_digest(held.sha256, digest):
                return self.roles[held.role]
        raise UnknownKey("unknown API key")


def key_sha256(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
