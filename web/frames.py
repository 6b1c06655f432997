"""An email preview, served as a page of its own for a sandboxed `<iframe src>`.

The app's pages allow no inline style, and an `<iframe srcdoc>` would inherit that policy;
emails are all inline styles. So the preview is its own response with its own narrow
policy: the email's styles and remote images, nothing else — no script, no fetch, no
form, no frame — and framable by our own pages only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.http import HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin

EMAIL_FRAME_POLICY = {
    "default-src": [NONE],
    "style-src": [UNSAFE_INLINE],
    "img-src": ["https:", "data:"],
    "frame-ancestors": [SELF],
    "form-action": [NONE],
    "base-uri": [NONE],
}


def email_frame(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view returns the email's HTML; this gives it the frame's policy."""

    @wraps(view)
    @xframe_options_sameorigin
    @csp(EMAIL_FRAME_POLICY)
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponse:
        return view(*args, **kwargs)

    # The decorators are typed as returning HttpResponseBase; they pass the view's
    # HttpResponse through, only marked.
    return cast(Callable[..., HttpResponse], wrapped)
