"""The webhook loop with every piece a separate process, as a user would run it.

1. mailgun-mock posts signed events to `mailroom webhook serve`, which fills the SQLite mirror;
   `mailroom send --suppressions-db` then skips the bounced and complained recipients and makes no
   request to Mailgun's suppression endpoints.
2. The same with Samples/HummingbirdApp and Samples/VaporApp, each started as its README says: a
   signup to an address the mock bounces comes back in `suppressed` the second time, and the app
   closes its database when it is stopped.

Uses the debug build in .build/debug.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BIN = os.path.join(os.getcwd(), ".build", "debug")
KEY = "key-ci-loop"
SIGNING_KEY = "whsec-ci-loop"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_line(process, what):
    line = process.stdout.readline().decode()
    if not line:
        raise SystemExit(f"{what} exited before it listened: {process.stderr.read().decode()}")
    return line.strip()


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


work = tempfile.mkdtemp(prefix="mailroom-loop-")
database = os.path.join(work, "suppressions.sqlite")
receiver_port = free_port()
env = dict(os.environ, MAILGUN_WEBHOOK_SIGNING_KEY=SIGNING_KEY, MAILROOM_SUPPRESSIONS_DB=database)
receiver = subprocess.Popen([f"{BIN}/mailroom", "webhook", "serve", "--port", str(receiver_port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work)
mock = subprocess.Popen([f"{BIN}/mailgun-mock", "--api-key", KEY, "--domain", "acme.test",
                         "--webhook-url", f"http://127.0.0.1:{receiver_port}/webhooks/mailgun", "--signing-key", SIGNING_KEY],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work)
try:
    print("loop:", wait_for_line(receiver, "the receiver"))
    base = wait_for_line(mock, "the mock")
    print("loop: mailgun-mock at", base)
    post(f"{base}/mock/outcomes", {"recipient": "gone@example.com", "outcome": "bounce"})
    post(f"{base}/mock/outcomes", {"recipient": "angry@example.com", "outcome": "complain"})
    send_env = dict(env, MAILGUN_API_KEY=KEY, MAILGUN_BASE_URL=base, MAILGUN_DOMAIN="acme.test")
    send = [f"{BIN}/mailroom", "send", "--from", "Acme <hello@acme.test>", "--to", "ok@example.com",
            "--to", "gone@example.com", "--to", "angry@example.com", "--subject", "Hello", "--text", "Hi", "--json"]
    first = json.loads(subprocess.run(send, env=send_env, cwd=work, check=True, capture_output=True).stdout)
    assert first["accepted"] == ["ok@example.com", "gone@example.com", "angry@example.com"], first

    # accepted x3, delivered (ok), failed (gone), delivered + complained (angry).
    deadline = time.monotonic() + 30
    while True:
        deliveries = get(f"{base}/mock/webhooks/deliveries")["items"]
        done = [d for d in deliveries if d["attempts"] and d["attempts"][-1].get("status") == 200]
        if len(done) >= 7 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(done) == 7, [(d["event"], d["attempts"]) for d in deliveries]
    assert all(d["messageID"] == first["id"] for d in deliveries), "every event names the receipt's Message-ID"

    before = len(get(f"{base}/mock/requests")["items"])
    second = json.loads(subprocess.run(send, env=send_env, cwd=work, check=True, capture_output=True).stdout)
    assert second["accepted"] == ["ok@example.com"], second
    assert second["suppressed"] == ["gone@example.com", "angry@example.com"], second
    during = get(f"{base}/mock/requests")["items"][before:]
    assert [(r["method"], r["path"]) for r in during] == [("POST", "/v3/acme.test/messages")], during
    print("loop: bounce and complaint came back as signed webhooks; the next send skipped both with no suppression request")
finally:
    for process in (mock, receiver):
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def signup(port, name, address):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/signup", data=json.dumps({"name": name, "email": address}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def sample_loop(name, command):
    """Starts a sample app as its README says, against a mock that posts its events to it."""
    app_port = free_port()
    app_work = tempfile.mkdtemp(prefix=f"mailroom-{name}-")
    mock = subprocess.Popen([f"{BIN}/mailgun-mock", "--api-key", KEY, "--domain", "acme.test",
                             "--webhook-url", f"http://127.0.0.1:{app_port}/webhooks/mailgun", "--signing-key", SIGNING_KEY],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=app_work)
    app = None
    try:
        base = wait_for_line(mock, "the mock")
        app_env = dict(os.environ, MAILGUN_API_KEY=KEY, MAILGUN_DOMAIN="acme.test", MAILGUN_BASE_URL=base,
                       MAILGUN_WEBHOOK_SIGNING_KEY=SIGNING_KEY)
        app = subprocess.Popen([f"{BIN}/{name}", *command, "--port", str(app_port)], env=app_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=app_work)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{app_port}/health", timeout=2) as response:
                    assert response.read() == b"ok"
                    break
            except OSError:
                if app.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{name} did not start: {app.stderr.read().decode() if app.poll() is not None else 'timeout'}")
                time.sleep(0.1)
        post(f"{base}/mock/outcomes", {"recipient": "gone@example.com", "outcome": "bounce"})
        status, first = signup(app_port, "Gone", "gone@example.com")
        assert status == 202 and first["accepted"] == ["gone@example.com"], first
        deadline = time.monotonic() + 30
        while len([d for d in get(f"{base}/mock/webhooks/deliveries")["items"] if d["attempts"]]) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        status, second = signup(app_port, "Gone", "gone@example.com")
        assert status == 202 and second == {"id": None, "accepted": [], "suppressed": ["gone@example.com"]}, second
        try:
            signup(app_port, "Bob", "bob")
            raise SystemExit("a bad address was accepted")
        except urllib.error.HTTPError as error:
            assert error.code == 400 and json.loads(error.read())["field"] == "email"
        print(f"loop: {name} received the bounce as a webhook and the next signup came back suppressed")
    finally:
        for process in (mock, app):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    # Stopped by SIGTERM, the app closed its database: SQLite removes the WAL with the last connection.
    assert app.returncode == 0, f"{name} exited with {app.returncode}: {app.stderr.read().decode()}"
    assert not os.path.exists(os.path.join(app_work, ".mailroom", "suppressions.sqlite-wal")), f"{name} left its database open"

    # A bad configuration is one line on stderr and a failing status, never a crash.
    bad = subprocess.run([f"{BIN}/{name}", *command, "--port", "0"], cwd=tempfile.mkdtemp(), capture_output=True, timeout=30,
                         env=dict(os.environ, MAILGUN_API_KEY="k", MAILGUN_BASE_URL="http://mail.example.com"))
    assert bad.returncode == 1, bad
    lines = bad.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("plain http:// is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https://"), bad.stderr
    print(f"loop: {name} refuses a bad MAILGUN_BASE_URL with one line")


sample_loop("hummingbird-sample", [])
sample_loop("vapor-sample", ["serve"])
