"""URLs of named routes, reversed once per script prefix, URL configuration and language
(what `reverse` depends on) instead of matched anew each time: the menu reverses a dozen
a page, the lists several a row."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# A number no route holds by itself: where it lands in a reversed URL, the id goes.
_ID_MARK = 918273645


def route_key() -> tuple[str, str, str | None]:
    """What a reversed URL depends on besides its name: the script prefix, the URL
    configuration and the language."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF  # a test may override ROOT_URLCONF
    return get_script_prefix(), urlconf, get_language()


@functools.lru_cache(maxsize=256)
def _named(name: str, prefix: str, urlconf: str, language: str | None) -> str:
    return reverse(name, urlconf=urlconf)


@functools.lru_cache(maxsize=256)
def _id_route(name: str, prefix: str, urlconf: str, language: str | None) -> tuple[str, str]:
    """`name`'s URL around its one integer argument."""
    url = reverse(name, args=[_ID_MARK], urlconf=urlconf)
    before, mark, after = url.partition(str(_ID_MARK))
    if not mark or str(_ID_MARK) in after:
        raise ValueError(f"{name} does not take one integer argument")
    return before, after


def url_named(name: str) -> str:
    """`reverse(name)` for a route without arguments."""
    return _named(name, *route_key())


def url_id(name: str, object_id: Any) -> str:
    """`reverse(name, args=[object_id])` for a route whose one argument is an
    `<int:...>`: the same URL, without `reverse`'s matching on every row of a list."""
    return id_urls(name)(object_id)


def id_urls(name: str) -> Callable[[Any], str]:
    """`url_id(name, ·)` for the rows of one page: the route (and the prefix, URL
    configuration and language it depends on) looked up once."""
    before, after = _id_route(name, *route_key())

    def url(object_id: Any) -> str:
        if type(object_id) is not int or object_id < 0:  # noqa: E721 - not bool, not a str
            return reverse(name, args=[object_id])
        return f"{before}{object_id}{after}"

    return url
