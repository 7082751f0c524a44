"""htmx conventions in one place.

A view renders a full page, or, for an htmx request that is neither boosted nor a
history restore, only the named block of the same template. One template is the single
source of both.
"""
import json

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def is_partial():
    """True for an htmx request that wants a fragment (not a boosted page load)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template, block=None, status=200, trigger=None, **context):
    """Render ``template``, or only ``block`` of it for a partial htmx request.

    ``trigger`` names client events (a string or a dict) sent as ``HX-Trigger``, so other
    parts of the page can refresh themselves after a write.
    """
    if block and is_partial():
        body = render_block(template, block, **context) + render_template("_flash_oob.html")
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    if trigger:
        with_trigger(response, trigger)
    return response


def with_trigger(response, trigger):
    """Add ``HX-Trigger`` events to a response and return it."""
    events = {trigger: None} if isinstance(trigger, str) else dict(trigger)
    existing = response.headers.get("HX-Trigger")
    if existing:
        try:
            events = {**json.loads(existing), **events}
        except ValueError:
            events = {existing: None, **events}
    response.headers["HX-Trigger"] = json.dumps(events)
    return response


def hx_redirect(url):
    """A redirect that works for htmx (HX-Redirect) and for plain requests (303)."""
    if getattr(request, "htmx", None):
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    response = make_response("", 303)
    response.headers["Location"] = url
    return response
