"""Page-size choice and pagination shared by the list pages."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZES = (10, 25, 50, 100)


def page_of(request: HttpRequest, items, default_size: int = 25) -> tuple[Page, int]:
    """The page the request asks for (?page=), at the size it asks for (?size=, one of
    PAGE_SIZES; anything else falls back to the default)."""
    try:
        size = int(request.GET.get("size", default_size))
    except ValueError:
        size = default_size
    if size not in PAGE_SIZES:
        size = default_size
    return Paginator(items, size).get_page(request.GET.get("page")), size
