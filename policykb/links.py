"""Which web addresses from documents may become links: absolute http(s) addresses and mailto, nothing else.

A document's `url` comes from its sidecar or from the HTML page itself (its canonical address), so it is the file
owner's text: a `javascript:` or `data:` address would run in the reader's browser if it became a link. Ingest drops
such an address (with a warning) and the pages check again before they make a link of one already stored.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LINK_SCHEMES = ("http", "https", "mailto")


def is_allowed_link(url: object) -> bool:
    """True for an absolute http or https address with a host, or a mailto address; False for anything else,
    including addresses with control characters or spaces, which browsers would read in their own ways."""
    if not isinstance(url, str) or not url or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced [ in the host
        return False
    if parts.scheme.lower() not in LINK_SCHEMES:
        return False
    return bool(parts.path) if parts.scheme.lower() == "mailto" else bool(parts.hostname)
