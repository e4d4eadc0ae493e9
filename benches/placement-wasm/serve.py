"""Serves a directory on 127.0.0.1 for the placement benchmark page and prints its result.

Usage: serve.py DIR PORT_FILE [TIMEOUT_SECONDS]

Binds a free port (written to PORT_FILE), serves DIR, and exits after printing the first body
POSTed to /result (the page posts its JSON result there), or with status 1 after the timeout.
"""

import functools
import http.server
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, plus POST /result which prints the body and stops the server."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
    }

    def do_POST(self):
        if self.path != "/result":
            self.send_error(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.end_headers()
        print(body.decode("utf-8"), flush=True)
        self.server.got_result = True
        threading.Thread(target=self.server.shutdown).start()

    def log_message(self, format, *args):
        pass


def main():
    directory, port_file = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 300.0
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.got_result = False
    with open(port_file, "w") as f:
        f.write(str(server.server_address[1]))
    timer = threading.Timer(timeout, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()
    sys.exit(0 if server.got_result else 1)


if __name__ == "__main__":
    main()
