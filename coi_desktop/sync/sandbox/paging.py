"""Procore's paging: ``page`` (from 1) and ``per_page``; ``Total``, ``Per-Page`` and ``Link``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

from werkzeug.wrappers import Request

T = TypeVar("T")

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000


class BadPaging(ValueError):
    pass


def paginate(request: Request, items: Sequence[T]) -> tuple[list[T], dict[str, str]]:
    """The page the request asks for, and the headers that describe it."""
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", DEFAULT_PER_PAGE))
    except ValueError as exc:
        raise BadPaging("page and per_page must be whole numbers") from exc
    page = max(page, 1)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    last = max(1, math.ceil(len(items) / per_page))
    chunk = list(items[(page - 1) * per_page : page * per_page])

    def link(to: int, rel: str) -> str:
        params = [
            (k, v) for k, v in request.args.items(multi=True) if k not in ("page", "per_page")
        ]
        params += [("page", str(to)), ("per_page", str(per_page))]
        return f'<{request.base_url}?{urlencode(params)}>; rel="{rel}"'

    # As Procore documents it (developers.procore.com/documentation/pagination): page 1 has
    # only next and last; page 2 adds first (prev would be the same page); later pages have
    # first, prev, next and last; the last page has no next. A single page has no Link.
    links = []
    if page > 1:
        links.append(link(1, "first"))
    if page > 2:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))  # absent on the last page: clients stop there
    if last > 1:
        links.append(link(last, "last"))
    headers = {"Total": str(len(items)), "Per-Page": str(per_page)}
    if links:
        headers["Link"] = ", ".join(links)
    return chunk, headers
