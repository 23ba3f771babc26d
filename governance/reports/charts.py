"""Charts drawn on the server as SVG, for reports: kaleido (plotly) driving Debian's chromium.

One kaleido browser is started per process, the first time that process draws a chart, and kept:
the first chart then costs a second or two and each later one about 0.1–0.3 s (DESIGN §8).
Worker processes that never draw (imports, e-mail) never start a browser. We hold the Kaleido object in our own
event-loop thread rather than use ``kaleido.start_sync_server()``, whose calls wait forever if
its browser dies; here every chart has a time limit, and a renderer that failed is started
afresh on the next chart. MathJax is off (there is no internet here).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from typing import Any

from django.conf import settings

from measures.chart_figure import chart_figure

logger = logging.getLogger(__name__)


class ChartRenderError(RuntimeError):
    """The chart could not be drawn (the browser is missing, crashed or too slow)."""


class _Renderer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None

    @property
    def running(self) -> bool:
        return self._kaleido is not None and self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.running:
                return
            self._stop_quietly()
            import kaleido

            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="kaleido-charts", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread

            async def open_browser() -> Any:
                renderer = kaleido.Kaleido(
                    n=1, mathjax=False, path=settings.CHART_BROWSER_PATH, timeout=settings.CHART_RENDER_TIMEOUT
                )
                await renderer.open()
                return renderer

            try:
                self._kaleido = self._run(open_browser(), settings.CHART_BROWSER_START_TIMEOUT)
            except Exception as error:
                self._stop_quietly()
                raise ChartRenderError(
                    f"The chart browser ({settings.CHART_BROWSER_PATH}) did not start: {error or type(error).__name__}"
                ) from error

    def _run(self, coroutine: Any, timeout: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            future.cancel()
            raise

    def svg(self, figure: dict[str, Any]) -> str:
        self.start()
        layout = figure["layout"]
        options = {"format": "svg", "width": layout["width"], "height": layout["height"]}
        try:
            content = self._run(self._kaleido.calc_fig(figure, opts=options), settings.CHART_RENDER_TIMEOUT)
        except Exception as error:
            # Start afresh next time: the browser may be the problem.
            with self._lock:
                self._stop_quietly()
            reason = "took too long" if isinstance(error, TimeoutError) else (str(error) or type(error).__name__)
            raise ChartRenderError(f"A chart could not be drawn: {reason}") from error
        return content.decode("utf-8") if isinstance(content, bytes) else content

    def stop(self) -> None:
        with self._lock:
            self._stop_quietly()

    def _stop_quietly(self) -> None:
        if self._kaleido is not None and self._loop is not None and self._thread and self._thread.is_alive():
            try:
                self._run(self._kaleido.close(), 10)
            except Exception:  # noqa: BLE001 - closing a broken browser may fail in many ways
                logger.warning("The chart browser did not close cleanly", exc_info=True)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._loop = self._thread = self._kaleido = None


_renderer = _Renderer()
atexit.register(_renderer.stop)


def start_chart_server() -> None:
    """Start this process's chart browser now (otherwise the first chart starts it)."""
    _renderer.start()


def stop_chart_server() -> None:
    _renderer.stop()


def chart_svg(payload: dict[str, Any], *, width: int = 760, height: int = 340) -> str:
    """The payload's chart (measures.chart_figure) drawn as an SVG document."""
    return _renderer.svg(chart_figure(payload, width=width, height=height))
