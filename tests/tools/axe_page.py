#!/usr/bin/env python3
"""Checks pages of a running Berth with axe-core, as the browser tests' accessibility gate does:
WCAG 2.0 and 2.1, A and AA, in the light and the dark theme (`prefers-color-scheme` emulated),
printing every violation with its impact and up to five elements with what is wrong. Exits 1
when any serious or critical violation is found.

usage: axe_page.py BERTH_URL PATH [PATH ...]
  e.g. axe_page.py http://127.0.0.1:8080 /clusters/demo-ec2 /repositories/demo/api

Needs chromium and chromedriver (Debian) and axe-core as `cargo xtask test` installs it
(`~/.cache/berth/axe-core-4.14.1/`, or the file BERTH_AXE names). Loopback only.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

PORT = 19517
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = os.environ.get("BERTH_AXE", os.path.expanduser(
    "~/.cache/berth/axe-core-4.14.1/node_modules/axe-core/axe.min.js"))


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, method=method,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.load(answer)["value"]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    url, paths = sys.argv[1].rstrip("/"), sys.argv[2:]
    if not urllib.parse.urlparse(url).hostname.startswith("127."):
        sys.exit("loopback addresses only")
    with open(AXE, encoding="utf-8") as source:
        axe = source.read()
    driver = subprocess.Popen(["chromedriver", f"--port={PORT}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    failed = False
    try:
        for _ in range(100):
            try:
                call("GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        session = call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900",
                f"--user-data-dir={tempfile.mkdtemp()}"]}}}})["sessionId"]
        run = ("const done = arguments[0]; axe.run(document, {runOnly: {type: 'tag', values: "
               + json.dumps(TAGS) + "}, resultTypes: ['violations']}).then(r => done(r.violations"
               ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5)"
               ".map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' '))}))));")
        for theme in ("light", "dark"):
            call("POST", f"/session/{session}/goog/cdp/execute", {
                "cmd": "Emulation.setEmulatedMedia",
                "params": {"features": [{"name": "prefers-color-scheme", "value": theme}]}})
            for path in paths:
                call("POST", f"/session/{session}/url", {"url": url + path})
                time.sleep(2)  # the page's data and lazily loaded parts
                call("POST", f"/session/{session}/execute/sync", {"script": axe, "args": []})
                violations = call("POST", f"/session/{session}/execute/async",
                                  {"script": run, "args": []})
                print(f"{theme} {path}: {len(violations) or 'no'} violations")
                for v in violations:
                    failed |= v["impact"] in ("serious", "critical")
                    print(f"  {v['id']} ({v['impact']}): {v['help']}")
                    for node in v["nodes"]:
                        print(f"    {node[:300]}")
        call("DELETE", f"/session/{session}")
    finally:
        driver.terminate()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
