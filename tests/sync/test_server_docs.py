"""The county server's API pages (/docs, /redoc) work in an office without internet: every
script, style sheet and icon they reference comes from the server itself (real HTTPS server)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests


class _Refs(HTMLParser):
    """Every src= / href= in a page, and the URLs named in its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._script = tag == "script"
        self.refs += [v for k, v in attrs if k in ("src", "href", "spec-url") and v]

    def handle_data(self, data: str) -> None:
        if self._script:
            self.refs += re.findall(r"""(?:url|spec-url)\s*[:=]\s*['"]([^'"]+)['"]""", data)
            self.refs += re.findall(r"https?://[^\s'\"<>)]+", data)


def references(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    return parser.refs


def test_docs_pages_load_only_from_the_server_itself(county_server):
    base = county_server.url
    origin = urlsplit(base)
    get = lambda url: requests.get(url, verify=str(county_server.ca_path), timeout=30)  # noqa: E731
    for page in ("/docs", "/redoc"):
        r = get(base + page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        refs = references(r.text)
        assert any(ref.endswith(".js") for ref in refs), refs
        for ref in refs:
            url = urlsplit(urljoin(base + page, ref))
            assert (url.scheme, url.netloc) == (origin.scheme, origin.netloc), f"{page}: {ref}"
            asset = get(url.geturl())
            assert asset.status_code == 200, f"{page}: {ref} -> {asset.status_code}"
            if ref.endswith(".css"):  # nor do the style sheets pull fonts or images from outside
                assert not re.search(r"url\(\s*['\"]?(https?:)?//", asset.text), ref
    spec = get(base + "/openapi.json")
    assert spec.status_code == 200 and "/v1/batches" in spec.json()["paths"]
    assert not any(p.startswith(("/docs", "/redoc", "/static")) for p in spec.json()["paths"])
