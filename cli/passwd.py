"""``charter passwd``: add or replace a user in a users file (argon2id hash, subject ACL rules)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from charter.registry.auth.acl import ROLES


def add_command(commands: Any) -> None:
    parser = commands.add_parser(
        "passwd",
        help="add or replace a user in a users file (for serve --users-file)",
        description=(
            "Add or replace USER in the JSON users file (created if missing, mode 0600). The password "
            "is read from the terminal, or from standard input with --password-stdin, and stored as an "
            "argon2id hash. Each --acl PATTERN=ROLE grants ROLE (read, write or admin) on the subjects "
            "matching the glob PATTERN; '*=admin' makes a superuser (global config and mode writes)."
        ),
    )
    parser.add_argument("user", help="user name (also the client certificate CN with --cert-cn)")
    parser.add_argument("--users-file", required=True, help="the users file to create or update")
    parser.add_argument("--acl", action="append", default=[], metavar="PATTERN=ROLE",
                        help="a grant, repeatable, e.g. 'orders-*=write' or '*=read'")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    parser.add_argument("--cert-cn", action="store_true",
                        help="also accept a verified client certificate whose CN is USER (mTLS)")
    parser.add_argument("--no-password", action="store_true", help="certificate only: no password")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from charter.registry.auth.users import UsersFileError, add_user

    acl = []
    for item in args.acl:
        pattern, sep, role = item.rpartition("=")
        if not sep or not pattern or role not in ROLES:
            print(f"charter: error: --acl {item!r}: expected PATTERN=ROLE with ROLE in {', '.join(ROLES)}",
                  file=sys.stderr)
            return 2
        acl.append({"subject": pattern, "role": role})
    password: str | None = None
    if not args.no_password:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass(f"password for {args.user}: ")
            if getpass.getpass("again: ") != password:
                print("charter: error: the passwords differ", file=sys.stderr)
                return 2
        if not password:
            print("charter: error: empty password", file=sys.stderr)
            return 2
    try:
        add_user(args.users_file, args.user, password, acl, cert_cn=args.cert_cn)
    except (UsersFileError, OSError, ValueError) as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    print(f"user {args.user} saved in {args.users_file}")
    return 0
