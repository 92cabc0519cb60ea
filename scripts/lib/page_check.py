#!/usr/bin/env python3
"""Opens a local HTML file in headless Chromium and reports what a reader would hit.

    page_check.py PAGE [--screenshot PNG] [--full-page] [--width W] [--height H]
                       [--expect SELECTOR[=N|>=N]]... [--timeout S]

Chromium is driven through its DevTools protocol over --remote-debugging-pipe (file
descriptors 3 and 4, NUL-separated JSON), so nothing but Python's standard library is needed.
The page fails on any console.error or console.assert, uncaught exception, unhandled promise
rejection, error the browser logs, or resource that does not load; and on any --expect
selector that matches fewer elements than asked (default at least one). Network access is cut
off: a report must open from disk alone.

Prints one line per problem and a last line OK or FAIL. Exit codes: 0 the page is clean, 1
problems or unmet expectations, 2 the browser could not be run.
"""
import argparse
import base64
import fcntl
import json
import os
import pathlib
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BROWSERS = ["/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome"]


class BrowserFailure(Exception):
    pass


class Browser:
    """A headless Chromium process and its DevTools pipe."""

    def __init__(self, binary, width, height, deadline):
        self.deadline = deadline
        self.profile = tempfile.mkdtemp(prefix="page-check-")
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()

        def wire_pipes():
            # The browser reads commands on fd 3 and writes replies on fd 4. Both ends move above
            # fd 10 first, so that neither dup2 is a no-op that keeps close-on-exec.
            a = fcntl.fcntl(commands_read, fcntl.F_DUPFD_CLOEXEC, 10)
            b = fcntl.fcntl(replies_write, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.setsid()

        argv = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
            "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
            "--remote-debugging-pipe", "about:blank",
        ]
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes, close_fds=False)
        os.close(commands_read)
        os.close(replies_write)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def receive(self, timeout):
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.replies], [], [], max(0, timeout))
            if not ready:
                return None
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                raise BrowserFailure("the browser closed its DevTools pipe (it crashed or exited)")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.commands, data):]
        while True:
            reply = self.receive(self.deadline - time.monotonic())
            if reply is None:
                raise BrowserFailure(f"timed out waiting for {method}")
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserFailure(f"{method} failed: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def listen(self, seconds, until=None):
        """Collects events for `seconds`, or until `until(event)` holds (then returns True)."""
        end = min(time.monotonic() + seconds, self.deadline)
        while time.monotonic() < end:
            event = self.receive(end - time.monotonic())
            if event is None:
                break
            if "method" in event:
                self.events.append(event)
                if until and until(event):
                    return True
        return False

    def close(self):
        try:
            self.call("Browser.close")
        except (BrowserFailure, OSError):
            pass
        for fd in (self.commands, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def describe(remote):
    if "value" in remote:
        return remote["value"] if isinstance(remote["value"], str) else json.dumps(remote["value"])
    return remote.get("description") or remote.get("type", "?")


def problems_in(events):
    """What went wrong on the page, one line each, from the DevTools events."""
    out, urls = [], {}
    for event in events:
        method, p = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent":
            urls[p["requestId"]] = p["request"]["url"]
        elif method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            out.append(f"console.{p['type']}: " + " ".join(describe(a) for a in p.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = p["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            out.append(f"uncaught exception: {text.splitlines()[0] if text else '?'} (line {details.get('lineNumber', -1) + 1})")
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            entry = p["entry"]
            out.append(f"browser error ({entry['source']}): {entry['text']} {entry.get('url', '')}".rstrip())
        elif method == "Network.loadingFailed" and not p.get("canceled"):
            out.append(f"not loaded: {urls.get(p['requestId'], '?')} ({p.get('errorText')})")
    return out


def expectation(spec):
    """`svg` (at least one), `svg=3` (exactly 3), `svg>=2`."""
    if ">=" in spec:
        selector, n = spec.rsplit(">=", 1)
        return selector, ">=", int(n)
    head, _, tail = spec.rpartition("=")
    if head and tail.isdigit() and not head.endswith(("~", "|", "^", "$", "*")):
        return head, "==", int(tail)
    return spec, ">=", 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page")
    parser.add_argument("--screenshot")
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()

    page = pathlib.Path(args.page).resolve()
    if not page.is_file():
        print(f"FAIL no such file: {page}")
        return 2
    binary = os.environ.get("CHROMIUM") or next(
        (b for b in (shutil.which(c) if not c.startswith("/") else (c if os.access(c, os.X_OK) else None) for c in BROWSERS) if b), None)
    if not binary:
        print("FAIL no Chromium found (Debian: apt-get install chromium)")
        return 2

    failures = []
    browser = Browser(binary, args.width, args.height, time.monotonic() + args.timeout)
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", session=session)
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        browser.events.clear()
        navigation = browser.call("Page.navigate", {"url": page.as_uri()}, session=session)
        if navigation.get("errorText"):
            failures.append(f"navigation failed: {navigation['errorText']}")
        loaded = any(e["method"] == "Page.loadEventFired" for e in browser.events) or browser.listen(
            args.timeout, until=lambda e: e["method"] == "Page.loadEventFired")
        if not loaded:
            raise BrowserFailure("the page never finished loading")
        browser.listen(0.5)  # errors raised after load (timers, rejected promises)

        def evaluate(expression):
            result = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
            if "exceptionDetails" in result:
                raise ValueError(describe(result["exceptionDetails"].get("exception", {})))
            return result["result"].get("value")

        for spec in args.expect:
            selector, op, n = expectation(spec)
            try:
                count = evaluate(f"document.querySelectorAll({json.dumps(selector)}).length")
            except ValueError as error:
                failures.append(f"bad selector {selector!r}: {error}")
                continue
            if (count != n) if op == "==" else (count < n):
                failures.append(f"expected {op} {n} of {selector!r}, found {count}")

        if args.screenshot:
            params = {"format": "png"}
            if args.full_page:
                metrics = browser.call("Page.getLayoutMetrics", session=session)
                size = metrics.get("cssContentSize") or metrics["contentSize"]
                params.update(captureBeyondViewport=True, clip={
                    "x": 0, "y": 0, "width": max(args.width, int(size["width"] + 0.99)),
                    "height": int(size["height"] + 0.99), "scale": 1})
            data = browser.call("Page.captureScreenshot", params, session=session)["data"]
            pathlib.Path(args.screenshot).write_bytes(base64.b64decode(data))
        browser.listen(0.05)
        failures = problems_in(browser.events) + failures
    except (BrowserFailure, OSError) as error:
        print(f"FAIL the browser could not check the page: {error}")
        return 2
    finally:
        browser.close()

    for line in failures:
        print(line)
    print(("FAIL " if failures else "OK ") + str(page))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
