#!/usr/bin/env python3
"""Times the console on a cluster fetched from a running Berth server, in headless Chromium
(ChromeDriver's WebDriver protocol, no other dependency): from navigation to the graph's count
showing every task, then a change of N tasks (a desired count set through the API) from the
request to the page showing the new count.

usage: large_page.py BERTH_URL CLUSTER SERVICE NEW_DESIRED_COUNT
Loopback only.
"""

import json
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

PORT = 19515


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", data=data, method=method,
        headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as answer:
        return json.load(answer)["value"]


def main():
    url, cluster, service, desired = sys.argv[1:5]
    with urllib.request.urlopen(f"{url}/api/clusters/{cluster}", timeout=300) as answer:
        tasks = len(json.load(answer)["tasks"])
    host = urllib.parse.urlparse(url).hostname
    if not host.startswith("127."):
        sys.exit("loopback addresses only")
    driver = subprocess.Popen(["chromedriver", f"--port={PORT}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                call("GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        profile = tempfile.mkdtemp()
        session = call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900", f"--user-data-dir={profile}"]}}}})["sessionId"]
        run = lambda script: call("POST", f"/session/{session}/execute/sync",
                                  {"script": script, "args": []})
        count = ("const e = document.querySelector('[data-testid=graph-count]');"
                 "return e ? e.innerText : '';")
        # A first visit fetches the console's files; time the second, as a returning user.
        for visit in ("first", "second"):
            call("POST", f"/session/{session}/url", {"url": f"{url}/clusters/{cluster}"})
            while f"{tasks} of {tasks} tasks" not in run(count):
                time.sleep(0.02)
            drawn = run("return performance.now();")
            print(f"{visit} visit: graph drawn {drawn:.0f} ms after navigation")
        while "Live" not in run("return document.querySelector('[data-testid=live-label]').innerText;"):
            time.sleep(0.05)
        before = run(count)
        started = time.monotonic()
        request = urllib.request.Request(
            f"{url}/api/clusters/{cluster}/services/{service}",
            data=json.dumps({"desiredCount": int(desired)}).encode(), method="PUT",
            headers={"content-type": "application/json"})
        urllib.request.urlopen(request, timeout=300)
        while run(count) == before:
            time.sleep(0.01)
        print(f"a change of the desired count shown {1000 * (time.monotonic() - started):.0f} ms "
              f"after the request ({before} → {run(count)})")
        call("DELETE", f"/session/{session}")
    finally:
        driver.terminate()


if __name__ == "__main__":
    main()
