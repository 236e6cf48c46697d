"""Shared fixtures: a fixed seed, the shared reference data, a local HTTP server,
the umask."""

import http.server
import os
import socket
import threading
from pathlib import Path

import pytest
import torch

TEST_DATA_VARIABLE = "SKATTCHROME_TEST_DATA"


@pytest.fixture
def seed():
    """Seed torch's global generator and return the seed for ``random_state``.

    Tests draw their own numbers from ``np.random.default_rng(seed)``.
    """
    value = 0
    torch.manual_seed(value)
    return value


@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request):
    """Run the test under umask 022, then 077; the umask, restored after."""
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


@pytest.fixture(scope="session")
def test_data():
    """Path of the shared reference data (``$SKATTCHROME_TEST_DATA``).

    Skips the test with the reason when the variable is unset or does not point
    to a folder, so that the suite still runs where the data is not available.
    """
    location = os.environ.get(TEST_DATA_VARIABLE)
    if not location:
        pytest.skip(f"{TEST_DATA_VARIABLE} is not set: no shared reference data")
    path = Path(location)
    if not path.is_dir():
        pytest.skip(f"{TEST_DATA_VARIABLE}={location} is not a folder")
    return path


class _LocalHTTPServer:
    """An HTTP server on 127.0.0.1, in a thread, that scripts its answers.

    Each GET of any path is answered by the next entry of ``script``, then by
    ``status`` once the script is spent. An entry is an HTTP status: 200 sends
    ``payload`` with a Content-Length of ``announced`` (default: its length;
    announcing more and closing imitates a dropped connection), any other is
    sent as an error page. Or it is ``"stall"``, which answers as 200 does but
    only after waiting ``stall`` seconds, or ``"stall_body"``, which waits
    after the headers and half of ``payload``. ``requests`` counts the GETs;
    ``user_agents`` and ``default_timeouts`` record, per GET, its User-Agent
    and :func:`socket.getdefaulttimeout` as the handler thread sees it while
    the client waits for the answer.
    """

    def __init__(self):
        self.payload = b""
        self.announced = None
        self.status = 200
        self.script = []
        self.stall = 2.0
        self.requests = 0
        self.user_agents = []
        self.default_timeouts = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with server._lock:
                    server.requests += 1
                    server.user_agents.append(self.headers.get("User-Agent"))
                    server.default_timeouts.append(socket.getdefaulttimeout())
                    answer = server.script.pop(0) if server.script else server.status
                self.close_connection = True
                if answer == "stall":
                    server._stopped.wait(server.stall)
                elif answer not in (200, "stall_body"):
                    self.send_error(answer)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                length = server.announced or len(server.payload)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                half = len(server.payload) // 2
                if answer == "stall_body":
                    self.wfile.write(server.payload[:half])
                    self.wfile.flush()
                    server._stopped.wait(server.stall)
                    self.wfile.write(server.payload[half:])
                else:
                    self.wfile.write(server.payload)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that timed out and left: not the test's error

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/payload"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def stop(self):
        """Stop serving (idempotent); stalled answers end at once."""
        self._stopped.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server():
    """A running :class:`_LocalHTTPServer` that serves an empty ``payload``."""
    server = _LocalHTTPServer()
    yield server
    server.stop()
