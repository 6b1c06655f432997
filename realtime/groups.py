"""Channel-layer group names: one per audience. The publisher picks the audience."""

from __future__ import annotations


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def org_admins_group(organisation_id: int) -> str:
    return f"org.{organisation_id}.admins"


def platform_admins_group() -> str:
    """Every organisation's administrators: the audience of release notes."""
    return "platform.admins"
