"""A headless Chromium driven over the DevTools protocol on a pipe (no network port, no extra
package): open a page, run JavaScript, click, type, take downloads and screenshots.

    with Headless() as browser:
        browser.open(pathlib.Path("report.html"), wait_for="document.body.dataset.rendered")
        browser.eval("document.title")
        browser.click("#export-csv"); browser.downloads(1)
        browser.screenshot("shot.png", width=1400, height=900)

Used by the report's browser tests and by bench/bench_report.py. Chromium speaks JSON
messages ended by NUL on file descriptors 3 (its input) and 4 (its output).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import threading
import time


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    """Chromium answered a command with an error, or did not answer in time."""


class Headless:
    def __init__(self, binary: str | None = None, timeout: float = 60.0):
        self.binary = binary or chromium_path()
        if not self.binary:
            raise BrowserError("no chromium on PATH (apt-get install chromium)")
        self.timeout = timeout
        self._next_id = 0
        self._answers: dict[int, dict] = {}
        self._events: list[dict] = []
        self._cond = threading.Condition()
        self.session: str | None = None
        self.download_dir = pathlib.Path(tempfile.mkdtemp(prefix="lacuna-downloads-"))
        self._profile = tempfile.mkdtemp(prefix="lacuna-chromium-")

    # -- process and pipe ---------------------------------------------------------------------

    def __enter__(self) -> "Headless":
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads our messages, fd 4 writes its own
            high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)  # out of the way of 3 and 4 first
            high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)  # dup2 copies are inherited by chromium
            os.dup2(high_w, 4)

        self.process = subprocess.Popen(
            [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             "--remote-debugging-pipe", f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(self.download_dir),
                  eventsEnabled=True, session=False)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.call("Browser.close", session=False, timeout=5)
        except BrowserError:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)
        shutil.rmtree(self.download_dir, ignore_errors=True)

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                with self._cond:
                    if "id" in message:
                        self._answers[message["id"]] = message
                    else:
                        self._events.append(message)
                    self._cond.notify_all()

    def call(self, method: str, session: bool = True, timeout: float | None = None, **params) -> dict:
        """Send one command and wait for its answer's `result`."""
        with self._cond:
            self._next_id += 1
            ident = self._next_id
        message = {"id": ident, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while ident not in self._answers:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserError(f"{method}: no answer in {timeout or self.timeout:g}s")
                self._cond.wait(left)
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    def wait_event(self, method: str, timeout: float | None = None, where=lambda params: True) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while True:
                for i, event in enumerate(self._events):
                    if event.get("method") == method and where(event.get("params", {})):
                        del self._events[i]
                        return event.get("params", {})
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserError(f"no {method} event in {timeout or self.timeout:g}s")
                self._cond.wait(left)

    # -- what tests do --------------------------------------------------------------------------

    def eval(self, expression: str):
        """The value of a JavaScript expression (JSON-serializable), awaiting a promise."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(f"{expression[:80]}: {details.get('exception', {}).get('description') or details}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float | None = None, poll: float = 0.01):
        """Poll until the expression is truthy; returns its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            value = self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"{expression} still false after {timeout or self.timeout:g}s")
            time.sleep(poll)

    def open(self, page: pathlib.Path | str, fragment: str = "",
             wait_for: str = "document.body && document.body.dataset.rendered === 'true'") -> float:
        """Navigate to a file and wait until `wait_for` holds; returns the seconds that took."""
        url = (page.resolve().as_uri() if isinstance(page, pathlib.Path) else page) + fragment
        self.call("Page.navigate", url="about:blank")  # a fresh load, even of the page already shown
        self.wait_for("location.href === 'about:blank'")
        started = time.perf_counter()
        self.call("Page.navigate", url=url)
        self.wait_for(wait_for)
        return time.perf_counter() - started

    def click(self, selector: str) -> None:
        self.eval(f"document.querySelector({json.dumps(selector)}).click()")

    def type_into(self, selector: str, text: str) -> None:
        """Focus an input and type `text` as keyboard input (fires the page's input events)."""
        self.eval(f"document.querySelector({json.dumps(selector)}).focus()")
        self.eval(f"document.querySelector({json.dumps(selector)}).select && "
                  f"document.querySelector({json.dumps(selector)}).select()")
        self.call("Input.insertText", text=text)

    def choose(self, selector: str, value: str) -> None:
        """Pick an option of a <select> as a user would (the page sees a change event)."""
        self.eval(f"(function (s) {{ s.value = {json.dumps(value)}; "
                  f"s.dispatchEvent(new Event('change', {{bubbles: true}})); }})"
                  f"(document.querySelector({json.dumps(selector)}))")

    def downloads(self, count: int, timeout: float | None = None) -> list[pathlib.Path]:
        """The next `count` finished downloads (paths in the download folder)."""
        out = []
        for _ in range(count):
            begin = self.wait_event("Browser.downloadWillBegin", timeout)
            self.wait_event("Browser.downloadProgress", timeout,
                            where=lambda p, g=begin["guid"]: p.get("guid") == g and p.get("state") == "completed")
            out.append(self.download_dir / begin["guid"])
            out[-1] = out[-1] if out[-1].exists() else self.download_dir / begin["suggestedFilename"]
        return out

    def screenshot(self, path: str | os.PathLike, width: int = 1400, height: int = 900, full: bool = False) -> bytes:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        params = {"format": "png", "captureBeyondViewport": full}
        data = base64.b64decode(self.call("Page.captureScreenshot", **params)["data"])
        pathlib.Path(path).write_bytes(data)
        return data
