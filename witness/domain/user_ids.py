"""The one shape of a user id: a login, the user part of USER:ROLE, an interpreter's id.

ASCII only: "аmara" with a Cyrillic а looks like "amara" and would be another person to the access
checks. No ':' either: USER:ROLE is how an actor is written. Kept apart from witness.domain.fields
(the pydantic field types) because every command checks its actor with it, and a plain command
does not otherwise need pydantic (issue 16, item 7: nothing imported that the command does not use).
"""
from __future__ import annotations

import re

USER_ID_PATTERN = r"[a-z0-9][a-z0-9._-]{0,63}"
USER_ID = re.compile(USER_ID_PATTERN, re.ASCII)
USER_ID_RULE = "1-64 characters a-z, 0-9, '.', '_', '-' (lower case, starting with a letter or digit)"
