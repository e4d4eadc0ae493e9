#!/usr/bin/env python3
"""Times the console on a cluster fetched from a running Berth server, in headless Chromium
(ChromeDriver's WebDriver protocol, no other dependency): from navigation to the graph's count
showing every task (a first and a returning visit), then a change of tasks: from the request to
the page showing the new count (the server's poll interval included), and, for each live event
that brought it, the page's own measure from the event's arrival to the first paint after it
(the `berth: live event shown` User Timing measure the console records).

usage: large_page.py BERTH_URL CLUSTER SERVICE NEW_DESIRED_COUNT
(the change sets SERVICE's desired count through Berth's API; `follow` takes any change)
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


def read(url):
    with urllib.request.urlopen(url, timeout=300) as answer:
        return json.load(answer)


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", data=data, method=method,
        headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as answer:
        return json.load(answer)["value"]


def wait(check, seconds, what):
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            sys.exit(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.01)


def follow(url, cluster, change, added):
    """Opens CLUSTER twice, then calls `change()`, which adds `added` tasks, and times both."""
    if not urllib.parse.urlparse(url).hostname.startswith("127."):
        sys.exit("loopback addresses only")
    tasks = len(read(f"{url}/api/clusters/{cluster}")["tasks"])
    driver = subprocess.Popen(["chromedriver", f"--port={PORT}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait(lambda: subprocess.run(["curl", "-sf", f"http://127.0.0.1:{PORT}/status"],
                                    capture_output=True).returncode == 0, 10, "chromedriver")
        profile = tempfile.mkdtemp()
        session = call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900", f"--user-data-dir={profile}"]}}}})["sessionId"]
        run = lambda script: call("POST", f"/session/{session}/execute/sync",
                                  {"script": script, "args": []})
        count = lambda: run("const e = document.querySelector('[data-testid=graph-count]');"
                            "return e ? e.innerText : '';")
        shown = ("return performance.getEntriesByName('berth: live event shown')"
                 ".map(e => [e.detail.event, e.detail.tasks, e.duration]);")
        # A first visit fetches the console's files; the second is a returning user's.
        for visit in ("first", "second"):
            call("POST", f"/session/{session}/url", {"url": f"{url}/clusters/{cluster}"})
            wait(lambda: f"{tasks} of {tasks} tasks" in count(), 300, "the graph")
            drawn = run("return performance.now();")
            print(f"{visit} visit: graph of {tasks} tasks drawn {drawn:.0f} ms after navigation")
        wait(lambda: "Live" in run(
            "return document.querySelector('[data-testid=live-label]').innerText;"), 300, "live")
        seen = len(run(shown))
        started = time.monotonic()
        change()
        total = tasks + added
        wait(lambda: f"{total} of {total} tasks" in count(), 300, f"{total} tasks")
        print(f"{added} more tasks shown {1000 * (time.monotonic() - started):.0f} ms after "
              f"the change was asked (the server's poll included)")
        for event, changed, ms in run(shown)[seen:]:
            print(f"  live {event} of {changed} tasks: shown {ms:.1f} ms after it arrived")
        call("DELETE", f"/session/{session}")
    finally:
        driver.terminate()


def main():
    url, cluster, service, desired = sys.argv[1:5]
    services = read(f"{url}/api/clusters/{cluster}")["services"]
    before = next(s["desiredCount"] for s in services if s["serviceName"] == service)

    def change():
        request = urllib.request.Request(
            f"{url}/api/clusters/{cluster}/services/{service}",
            data=json.dumps({"desiredCount": int(desired)}).encode(), method="PUT",
            headers={"content-type": "application/json"})
        urllib.request.urlopen(request, timeout=300)

    follow(url, cluster, change, int(desired) - before)


if __name__ == "__main__":
    main()
