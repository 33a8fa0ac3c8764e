"""HTML to PDF with WeasyPrint, in fonts that ship with the project.

The fonts come from npm packages (package.json: Noto Sans and Noto Sans Mono, as TTF), put
in node_modules at install time like htmx and Pico CSS, and are embedded (subset) in every
PDF: a document looks the same on every server and in every reader, and never depends on
the fonts a host happens to have. Templates name the families ``SANS`` and ``MONO``.

Rendering fetches nothing from the network or the disk beyond those font files: the URL
fetcher accepts ``data:`` URLs (an inline logo, a QR code) and the shipped fonts only, so a
value in a document (a link in a text field, say) cannot make the server read a file or
call another host.

Rendering is quick and its memory flat because what does not change between documents is
made once per process and reused: the font configuration with the shipped fonts loaded
(WeasyPrint's ``FontConfiguration``; a new one for every document cost about 15 ms and
kept about 0.3 MB a document alive that was never given back) and each parsed stylesheet
(``render_pdf(html, stylesheet=...)``). They are shared by the threads of a process under a
lock (a render is CPU-bound, so threads gain nothing by rendering at once) and made anew in
a forked child. See docs/PERFORMANCE.md.

Knows no domain model.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

# WeasyPrint reports every rendering step at INFO: noise in a server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

SANS = "KRA Sans"
MONO = "KRA Mono"

#: (family, weight, style) → the font file, under node_modules/@expo-google-fonts.
FONT_FILES: dict[tuple[str, int, str], str] = {
    (SANS, 400, "normal"): "noto-sans/400Regular/NotoSans_400Regular.ttf",
    (SANS, 400, "italic"): "noto-sans/400Regular_Italic/NotoSans_400Regular_Italic.ttf",
    (SANS, 700, "normal"): "noto-sans/700Bold/NotoSans_700Bold.ttf",
    (SANS, 700, "italic"): "noto-sans/700Bold_Italic/NotoSans_700Bold_Italic.ttf",
    (MONO, 400, "normal"): "noto-sans-mono/400Regular/NotoSansMono_400Regular.ttf",
}
#: How a PDF names a font embedded from those files: the family (spaces as dashes) and the
#: style, after the subset's six-letter tag ("XHKXPF+KRA-Sans-Bold"). No host font is called
#: that, so a name of this shape proves the glyphs came from the shipped files.
SHIPPED_FONT_NAME = re.compile(r"^(?:[A-Z]{6}\+)?KRA-(?:Sans|Mono)(?:-Bold)?(?:-Italic)?$")


class MissingFonts(RuntimeError):
    """The npm packages holding the fonts are not installed (``make install``)."""


def font_dir() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / "@expo-google-fonts"


def font_paths() -> dict[tuple[str, int, str], Path]:
    paths = {key: font_dir() / name for key, name in FONT_FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise MissingFonts(
            "The PDF fonts are not installed (run `make install` or `npm ci`): "
            + ", ".join(missing)
        )
    return paths


def font_face_css() -> str:
    """@font-face rules for the shipped fonts, and the sans family as everyone's default."""
    rules = []
    for (family, weight, style), path in font_paths().items():
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{path.as_uri()}"); }}'
        )
    rules.append(f'html {{ font-family: "{SANS}"; }}')
    rules.append(f'code, kbd, samp, pre {{ font-family: "{MONO}"; }}')
    return "\n".join(rules)


@lru_cache(maxsize=1)
def _allowed_files() -> frozenset[Path]:
    return frozenset(p.resolve() for p in font_paths().values())


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class ShippedOnlyFetcher(URLFetcher):
        """``data:`` URLs and the shipped font files; nothing else."""

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path in _allowed_files():
                    return super().fetch(url, headers)
            raise ValueError(f"not fetched while rendering a PDF: {url[:80]}")

    return ShippedOnlyFetcher


class _Renderer:
    """What every document of a process shares: the URL fetcher, the font configuration
    with the shipped fonts loaded, and the stylesheets parsed so far (by their text's
    SHA-256)."""

    #: More distinct stylesheets than this in one process means they are being built per
    #: document: stop keeping them rather than grow.
    MAX_STYLESHEETS = 32

    def __init__(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.fetcher = _fetcher_class()(allowed_protocols={"data", "file"}, timeout=5)
        self.font_config = FontConfiguration()
        self.fonts = CSS(
            string=font_face_css(), font_config=self.font_config, url_fetcher=self.fetcher
        )
        self.stylesheets: dict[str, object] = {}

    def stylesheet(self, text: str):
        from weasyprint import CSS

        key = hashlib.sha256(text.encode()).hexdigest()
        sheet = self.stylesheets.get(key)
        if sheet is None:
            sheet = CSS(string=text, font_config=self.font_config, url_fetcher=self.fetcher)
            if len(self.stylesheets) < self.MAX_STYLESHEETS:
                self.stylesheets[key] = sheet
        return sheet


_renderer: _Renderer | None = None
_renderer_lock = threading.Lock()


def _shared_renderer() -> _Renderer:
    global _renderer
    with _renderer_lock:
        if _renderer is None or _renderer.pid != os.getpid():
            _renderer = _Renderer()
        return _renderer


@atexit.register
def _drop_renderer() -> None:
    """Let the font configuration clean up (its temporary folder) while the interpreter
    can still run its finaliser."""
    global _renderer
    _renderer = None


def render_pdf(html: str, *, stylesheet: str | None = None) -> bytes:
    """The PDF of ``html`` (a whole document), with the shipped fonts embedded. CSS paged
    media applies: ``@page`` margins, ``counter(page)``, ``counter(pages)``.

    ``stylesheet`` is CSS text applied to the document as an author stylesheet: parsed the
    first time a process sees it and reused after, which a ``<style>`` element in the
    document is not. Pass the same text for every document of a kind (a file read once)."""
    from weasyprint import HTML

    renderer = _shared_renderer()
    with renderer.lock:
        sheets = [renderer.fonts]
        if stylesheet:
            sheets.append(renderer.stylesheet(stylesheet))
        document = HTML(string=html, url_fetcher=renderer.fetcher, base_url=None)
        return document.write_pdf(stylesheets=sheets, font_config=renderer.font_config)
