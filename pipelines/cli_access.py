"""``--role`` and ``--roles``, which every read of the command line takes: read as a role of a roles file,
seeing only what it may see (``kb_store.access``). Without ``--role`` a read sees everything, as the
store's files do for whoever may read them."""

from __future__ import annotations

import argparse
from pathlib import Path

from kb_store.access import Role, Roles

ROLES_FILE = "roles.toml"  # looked for in the store when --roles is not given


def add_role_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--role", help="read as this role: only what its labels let it see")
    command.add_argument("--roles", type=Path, metavar="FILE",
                         help=f"the roles file --role names a role of (default: {ROLES_FILE} in the store)")


def role_given(args: argparse.Namespace) -> Role | None:
    """The role ``--role`` names, from ``--roles`` or the store's roles file; ``AccessError`` when there
    is no such file or role."""
    if args.role is None:
        return None
    return Roles.load(args.roles or Path(args.store) / ROLES_FILE).role(args.role)
