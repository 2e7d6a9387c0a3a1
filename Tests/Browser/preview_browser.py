"""`mailroom preview` in a real browser: headless Chromium driven through selenium.

Fills an outbox with `mailroom send` and `mailroom send-mime` (an ordinary message, one with an
attachment, a hostile one, an oddly encoded one), starts `mailroom preview` as its README says, and
checks what a user sees: the list, search, the message's HTML in its frame with its inline image,
that the hostile message runs nothing and loads nothing (a loopback sink records every request it
would have made), the remote-images toggle, the phone width, a byte-exact download, and a message
sent while the page is open appearing without a reload.

    python3 Tests/Browser/preview_browser.py [--screenshots Documentation]

Needs the debug build (.build/debug/mailroom), Chromium and its driver (`chromium`,
`chromium-driver`) and selenium (`pip install selenium`).
"""
import argparse
import hashlib
import http.server
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

MAILROOM = os.path.join(os.getcwd(), ".build", "debug", "mailroom")
WAIT = 15  # seconds a check may wait for the page


def check(condition, what):
    if not condition:
        raise SystemExit(f"preview browser: FAILED: {what}")
    print(f"ok - {what}")


class Sink(http.server.BaseHTTPRequestHandler):
    """A loopback server that records every request: what a hostile message would load."""
    requests = []

    def do_GET(self):
        Sink.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png" if self.path.endswith(".png") else "text/plain")
        self.end_headers()
        self.wfile.write(png(3, 3) if self.path.endswith(".png") else b"sink")

    do_POST = do_GET

    def log_message(self, *args):
        pass


def png(width, height):
    """A small valid PNG, so that a loaded image has a natural width."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\xd0\x40\x20" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def mailroom(env, *arguments):
    result = subprocess.run([MAILROOM, *arguments], env=env, capture_output=True)
    if result.returncode != 0:
        raise SystemExit(f"mailroom {' '.join(arguments)} failed: {result.stderr.decode()}")
    return result.stdout.decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenshots", help="save the list and a message view as PNG files in this folder")
    options = parser.parse_args()

    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    remote = f"http://127.0.0.1:{sink.server_address[1]}"

    work = tempfile.mkdtemp(prefix="mailroom-preview-browser-")
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAILGUN_", "MAILROOM_"))}
    env["MAILROOM_OUTBOX"] = os.path.join(work, "outbox")

    logo = os.path.join(work, "logo.png")
    with open(logo, "wb") as f:
        f.write(png(24, 12))
    invoice = os.path.join(work, "invoice-march.bin")
    with open(invoice, "wb") as f:
        f.write(bytes(range(256)) * 64 + os.urandom(3001))
    hostile_html = (
        f'<meta http-equiv="refresh" content="0;url={remote}/refresh">'
        f'<link rel="stylesheet" href="{remote}/style.css">'
        f'<h1 id="hostile-heading">Account notice</h1>'
        f'<script>document.getElementById("hostile-heading").textContent = "SCRIPT RAN"; fetch("{remote}/script"); top.location = "{remote}/top";</script>'
        f'<img id="broken" src="x" onerror="fetch(\'{remote}/onerror\'); this.alt = \'HANDLER RAN\'">'
        f'<img id="remote" src="{remote}/remote.png" width="3" height="3">'
        f'<div style="background: url({remote}/background.png)">styled</div>'
        f'<iframe src="{remote}/frame"></iframe><object data="{remote}/object"></object><embed src="{remote}/embed">'
        f'<svg onload="fetch(\'{remote}/svg\')"><image href="{remote}/svg-image.png" width="2" height="2"/></svg>'
        f'<style>@import url({remote}/import.css); @font-face {{ font-family: x; src: url({remote}/font.woff); }} p {{ font-family: x; }}</style>'
        f'<link rel="prefetch" href="{remote}/prefetch"><base href="{remote}/base/"><img src="relative.png" alt="relative">'
        f'<img srcset="{remote}/srcset.png 1x" alt="srcset"><video poster="{remote}/poster.png" src="{remote}/video"></video>'
        f'<audio src="{remote}/audio" autoplay></audio><p>Odd text in a font</p>'
        f'<form action="{remote}/form" method="post"><input name="a" value="b"><button id="submit">Go</button></form>'
        f'<a id="away" href="{remote}/away" target="_top">away</a>'
    )

    mailroom(env, "send", "--from", "Acme <hello@acme.test>", "--to", "Zoë <zoe@example.com>", "--subject", "Welcome, Zoë",
             "--text", "Hello from Mailroom.", "--html", '<p id="greeting">Hello from <b>Mailroom</b>.</p><img id="logo" src="cid:logo.png" alt="logo">',
             "--inline", logo, "--tag", "welcome")
    mailroom(env, "send", "--from", "billing@acme.test", "--to", "bob@example.com", "--subject", "Your invoice for March",
             "--text", "The invoice is attached.", "--attach", invoice, "--tag", "invoice")
    mailroom(env, "send", "--from", "security@acme.test", "--to", "zoe@example.com", "--subject", "Account notice <b>bold</b>",
             "--text", "Read the HTML.", "--html", hostile_html)
    odd = os.path.join(work, "odd.eml")
    with open(odd, "wb") as f:
        f.write(b"From: =?ISO-8859-1?Q?Ren=E9e?= <renee@acme.test>\r\nTo: zoe@example.com\r\nSubject: =?UTF-8?Q?Caf=C3=A9_=E2=98=95?=\r\n"
                b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                b"<p id=3D\"odd\">Cr=E8me br=FBl=E9e</p>\r\n")
    mailroom(env, "send-mime", "--to", "zoe@example.com", odd)

    # MAILROOM_LOG_LEVEL=info: the preview logs every request it answers, which the checks read.
    preview_log = PreviewLog(os.path.join(work, "preview.log"))
    preview = subprocess.Popen([MAILROOM, "preview", "--port", "0", "--poll-interval", "200"], env={**env, "MAILROOM_LOG_LEVEL": "info"},
                               stdout=subprocess.PIPE, stderr=preview_log.file)
    try:
        line = preview.stdout.readline().decode().strip()
        check(line.startswith(f"Mailroom preview of {env['MAILROOM_OUTBOX']}: http://127.0.0.1:"), f"mailroom preview prints its URL: {line}")
        url = line.rsplit(" ", 1)[1]

        chrome = webdriver.ChromeOptions()
        chrome.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]:
            chrome.add_argument(argument)
        chrome.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=chrome)
        wait = WebDriverWait(driver, WAIT)
        try:
            run(driver, wait, url, env, remote, invoice, downloads, options.screenshots, preview_log)
        finally:
            driver.quit()
    finally:
        preview.terminate()
        preview.wait(timeout=20)
        sink.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print("preview browser: every check passed")


def rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#messages tbody tr")


def open_message(driver, wait, url, subject):
    driver.get(url)
    link = next(a for a in driver.find_elements(By.CSS_SELECTOR, "#messages tbody a") if a.text == subject)
    link.click()
    wait.until(lambda d: d.find_elements(By.ID, "body-frame") or d.find_elements(By.CSS_SELECTOR, "#html .empty"))


class PreviewLog:
    """The preview's stderr in a file, read from where the last read stopped."""

    def __init__(self, path):
        self.path = path
        self.file = open(path, "ab")
        self.seen = 0

    def paths(self):
        """The paths of the requests the preview answered since the last call."""
        with open(self.path, "rb") as f:
            lines = f.read().decode(errors="replace").splitlines()
        fresh, self.seen = lines[self.seen:], len(lines)
        return [line.split("http.path=", 1)[1].split(" ", 1)[0] for line in fresh if "preview request" in line]


def show_tab(driver, wait, name):
    """Clicks a message tab and waits until the script has shown its section."""
    driver.find_element(By.CSS_SELECTOR, f"a[href='#{name}']").click()
    wait.until(lambda d: d.find_element(By.ID, name).is_displayed())


def run(driver, wait, url, env, remote, invoice, downloads, screenshots, log):
    # The list: every message, newest first, escaped.
    driver.get(url)
    subjects = [row.find_elements(By.TAG_NAME, "td")[3].text for row in rows(driver)]
    check(subjects == ["Café ☕", "Account notice <b>bold</b>", "Your invoice for March", "Welcome, Zoë"], f"the list shows what was sent, newest first: {subjects}")
    check(driver.find_element(By.ID, "total").text == "4", "the count")
    check(not driver.find_elements(By.CSS_SELECTOR, "#messages b"), "a subject's markup is text")
    if screenshots:
        driver.save_screenshot(os.path.join(screenshots, "preview-list.png"))

    # Search narrows the list.
    box = driver.find_element(By.NAME, "q")
    box.send_keys("invoice march")
    box.submit()
    wait.until(lambda d: "q=invoice" in d.current_url)
    subjects = [row.find_elements(By.TAG_NAME, "td")[3].text for row in rows(driver)]
    check(subjects == ["Your invoice for March"], f"searching 'invoice march' narrows the list: {subjects}")
    driver.find_element(By.NAME, "tag").send_keys("welcome")
    driver.find_element(By.NAME, "q").clear()
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(lambda d: "tag=welcome" in d.current_url)
    check([r.find_elements(By.TAG_NAME, "td")[3].text for r in rows(driver)] == ["Welcome, Zoë"], "the tag filter")

    # A message: its HTML in the sandboxed frame, the inline image resolved through its Content-ID.
    open_message(driver, wait, url, "Welcome, Zoë")
    frame = driver.find_element(By.ID, "body-frame")
    check(frame.get_attribute("sandbox") == "", "the frame is sandboxed with nothing allowed")
    driver.switch_to.frame(frame)
    greeting = wait.until(lambda d: d.find_element(By.ID, "greeting"))
    check(greeting.text == "Hello from Mailroom.", "the HTML body shows in the frame")
    logo = driver.find_element(By.ID, "logo")
    wait.until(lambda d: d.execute_script("return arguments[0].complete", logo))
    check(driver.execute_script("return arguments[0].naturalWidth", logo) == 24, "the inline image loads through its Content-ID")
    driver.switch_to.default_content()
    driver.find_element(By.CSS_SELECTOR, "button.width[data-width=narrow]").click()
    wait.until(lambda d: d.find_element(By.ID, "frame").size["width"] <= 376)
    check(driver.find_element(By.ID, "frame").size["width"] <= 376, "the phone width toggle narrows the frame")
    driver.find_element(By.CSS_SELECTOR, "button.width[data-width=full]").click()
    show_tab(driver, wait, "text")
    check(driver.find_element(By.CSS_SELECTOR, "#text pre").text == "Hello from Mailroom.", "the text part")
    show_tab(driver, wait, "raw")
    wait.until(lambda d: "MIME-Version: 1.0" in d.find_element(By.ID, "raw-source").text)
    raw = driver.find_element(By.ID, "raw-source").text
    check("Content-ID: <logo.png>" in raw and "From: Acme <hello@acme.test>" in raw, "the raw source, fetched from the API")
    show_tab(driver, wait, "html")
    if screenshots:
        time.sleep(0.3)  # let the frame's width transition finish before the picture
        driver.save_screenshot(os.path.join(screenshots, "preview-message.png"))

    # The hostile message: nothing runs, nothing loads.
    Sink.requests.clear()
    log.paths()
    open_message(driver, wait, url, "Account notice <b>bold</b>")
    driver.switch_to.frame(driver.find_element(By.ID, "body-frame"))
    heading = wait.until(lambda d: d.find_element(By.ID, "hostile-heading"))
    time.sleep(1.5)  # time for anything that would run or load (the refresh, the handlers)
    check(heading.text == "Account notice", "the message's <script> did not run")
    check(driver.find_element(By.ID, "broken").get_attribute("alt") != "HANDLER RAN", "its onerror handler did not run")
    check(driver.execute_script("return arguments[0].naturalWidth", driver.find_element(By.ID, "remote")) == 0, "its remote image did not load")
    driver.find_element(By.ID, "submit").click()
    time.sleep(0.5)
    driver.switch_to.default_content()
    check(driver.current_url.startswith(url + "messages/"), "the page was not navigated away")
    check(driver.title.startswith("Account notice <b>bold</b>"), "the page's title is untouched")
    check(Sink.requests == [], f"the remote server saw no request: {Sink.requests}")
    answered = log.paths()
    hostile_id = driver.current_url.rsplit("/", 1)[1].split("?")[0]
    expected = {"/", "/assets/preview.css", "/assets/preview.js", "/api/v1/events", f"/messages/{hostile_id}", f"/messages/{hostile_id}/body"}
    check(set(answered) <= expected and f"/messages/{hostile_id}/body" in answered,
          f"and the preview itself was asked for nothing the message names (its relative image 'x', a form post): {sorted(set(answered))}")

    # The toggle loads remote images for this message, and still nothing else.
    driver.find_element(By.ID, "remote-toggle").click()
    wait.until(lambda d: "remote=1" in d.current_url)
    driver.switch_to.frame(driver.find_element(By.ID, "body-frame"))
    wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", d.find_element(By.ID, "remote")) == 3)
    time.sleep(1)
    driver.switch_to.default_content()
    loaded = sorted(set(Sink.requests))
    check("/remote.png" in loaded, "'Load remote images' loads the remote image")
    check(all(path.endswith(".png") for path in loaded), f"and nothing but images: {loaded}")

    # An attachment downloads byte-exact.
    open_message(driver, wait, url, "Your invoice for March")
    show_tab(driver, wait, "attachments")
    driver.find_element(By.CSS_SELECTOR, "#attachments a[download]").click()
    target = os.path.join(downloads, "invoice-march.bin")
    deadline = time.time() + WAIT
    while time.time() < deadline and not (os.path.exists(target) and os.path.getsize(target) == os.path.getsize(invoice)):
        time.sleep(0.1)
    with open(invoice, "rb") as sent, open(target, "rb") as got:
        check(hashlib.sha256(sent.read()).hexdigest() == hashlib.sha256(got.read()).hexdigest(), "the attachment downloads byte-exact")

    # Odd encodings read as written.
    open_message(driver, wait, url, "Café ☕")
    check("Renée <renee@acme.test>" in driver.find_element(By.CSS_SELECTOR, "dl.summary").text, "an encoded sender is decoded")
    driver.switch_to.frame(driver.find_element(By.ID, "body-frame"))
    check(wait.until(lambda d: d.find_element(By.ID, "odd")).text == "Crème brûlée", "a Latin-1 quoted-printable body is decoded")
    driver.switch_to.default_content()

    # Live: a message sent while the list is open appears without a reload.
    driver.get(url)
    wait.until(lambda d: d.find_element(By.ID, "live").is_displayed())
    driver.execute_script("window.notReloaded = true")
    mailroom(env, "send", "--from", "hello@acme.test", "--to", "live@example.com", "--subject", "Sent while the page is open", "--text", "Hi")
    wait.until(lambda d: rows(d)[0].find_elements(By.TAG_NAME, "td")[3].text == "Sent while the page is open")
    check(driver.execute_script("return window.notReloaded === true"), "a message sent while the page is open appears without a reload")
    check(driver.find_element(By.ID, "total").text == "5", "and the count follows")

    # On a phone: rows stack, nothing overflows the screen.
    driver.set_window_size(390, 844)
    driver.get(url)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check(width <= 390, f"on a 390 px screen the list needs no sideways scrolling ({width} px)")
    if screenshots:
        driver.save_screenshot(os.path.join(screenshots, "preview-phone.png"))


if __name__ == "__main__":
    main()
