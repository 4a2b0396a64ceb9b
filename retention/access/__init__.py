"""Who may see and change the workspace: users, roles, password hashes and slowed-down sign-in.

Users live in the workspace's DuckDB file (tables `access_users`, `access_attempts`), so one file
holds a team's data and who may read it.  Passwords are kept only as Argon2id hashes
(`argon2-cffi`, the reference implementation's bindings).  Roles: *viewer* reads; *editor* also
imports, rolls back and deletes.
"""

from retention.access.users import (
    ROLES,
    SignInRefused,
    User,
    add_user,
    authenticate,
    list_users,
    remove_user,
)

__all__ = ["ROLES", "SignInRefused", "User", "add_user", "authenticate", "list_users", "remove_user"]
