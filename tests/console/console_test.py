#!/usr/bin/python3
"""The web console in a real browser (issue #20, docs/console.md): headless Chromium driven by
Selenium against a real lmpd built by the tree (temporary folder, SQLite, free ports).

Logs in with a token, sees a seat checked out over the seat protocol appear on the leases page,
releases it from the page and sees the endpoint's next HEARTBEAT refused `lease_revoked`; sees
the usage chart drawn and downloads the usage CSV holding those checkouts; finds the release in
the audit page by its filters and pages through it; ends a product's life through the
confirmation that shows the API's dry-run counts; a reseller's login sees only its own customers
on every page; names holding markup are shown as text and run nothing; no page breaks the
Content-Security-Policy; a cookie-authenticated change without the CSRF header is refused; a
password login shows the parent's logo, and a reseller's customer's the reseller's branding. Saves
a screenshot of each page under --artifacts (and --docs when given).

Usage: console_test.py --lmpd BIN --plugins DIR --artifacts DIR [--docs DIR]
"""
import argparse
import csv
import glob
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

SCRIPT_NAME = "<script>alert(1)</script>"
IMG_NAME = '<img src=x onerror="window.__xss=1">'


class Lmpd:
    """An lmpd process on loopback with its configuration, database and log in `work`."""

    def __init__(self, binary, plugins, work):
        self.binary, self.work = binary, work
        self.config = os.path.join(work, "lmpd.yaml")
        self.log_path = os.path.join(work, "lmpd.log")
        with open(self.config, "w") as f:
            f.write(
                "listeners:\n  seat:\n    address: 127.0.0.1\n    port: 0\n"
                "  admin:\n    address: 127.0.0.1\n    port: 0\n"
                f"storage:\n  backend: sqlite\n  sqlite:\n    path: {work}/lmpd.db\n"
                f"plugins:\n  directory: {plugins}\n"
                "products:\n  - code: cad\n    name: CAD Studio\n    family: software\n"
                "    unit: seats\n"
                f"  - code: old\n    name: '{SCRIPT_NAME}'\n    family: software\n"
                "    unit: seats\n")
        out = subprocess.run([binary, "admin", "--config", self.config, "init", "--name",
                              "Contoso"], capture_output=True, text=True, check=True).stdout
        self.token = re.search(r"API token: (\S+)", out).group(1)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([binary, "--config", self.config], stderr=self.log)
        self.seat_port = self.admin_port = None
        deadline = time.time() + 10
        while time.time() < deadline and not (self.seat_port and self.admin_port):
            with open(self.log_path) as f:
                text = f.read()
            seat = re.search(r"event=listening listener=seat.*?port=(\d+)", text)
            admin = re.search(r"event=listening listener=admin.*?port=(\d+)", text)
            self.seat_port = seat and int(seat.group(1))
            self.admin_port = admin and int(admin.group(1))
            time.sleep(0.05)
        if not (self.seat_port and self.admin_port):
            self.stop()
            raise RuntimeError("lmpd did not listen:\n" + open(self.log_path).read())

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def http(self, method, path, body=None, token=None, headers=None):
        """(status, headers, parsed JSON or raw text) of one admin API call."""
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=10)
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body)
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        raw = response.read().decode()
        conn.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return response.status, response.headers, parsed

    def call(self, method, path, body=None, token=None):
        status, _, answer = self.http(method, path, body, token or self.token)
        if status != 200:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        return answer


class SeatClient:
    """One seat-protocol connection (docs/protocol.md): a line out, a line back."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = self.sock.makefile("r")

    def send(self, line):
        self.sock.sendall((line + "\n").encode())
        return self.reader.readline().rstrip("\n")

    def checkout(self, code, user, host):
        answer = self.send(f"CHECKOUT code={code} user={user} host={host}")
        match = re.match(r"OK lease=([0-9a-f]+) ", answer)
        assert match, answer
        return match.group(1)


def retry(read, attempts=10):
    """read() again when the page redrew what it was reading (the pages refresh themselves)."""
    for attempt in range(attempts):
        try:
            return read()
        except StaleElementReferenceException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def browser(artifacts):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1200,720", "--no-first-run", "--disable-extensions",
                 f"--user-data-dir={artifacts}/chromium-profile"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Shots:
    def __init__(self, driver, dirs):
        self.driver, self.dirs = driver, dirs

    def take(self, name):
        for d in self.dirs:
            self.driver.save_screenshot(os.path.join(d, f"{name}.png"))


def log_in(driver, wait, base, token):
    driver.get(base + "/")
    field = wait.until(ec.visibility_of_element_located((By.ID, "token")))
    field.send_keys(token)
    driver.find_element(By.ID, "login-button").click()
    wait.until(ec.visibility_of_element_located((By.ID, "logout")))


def log_in_with_password(driver, wait, base, user, password):
    driver.get(base + "/")
    wait.until(ec.visibility_of_element_located((By.ID, "login-user"))).send_keys(user)
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.ID, "password-login-button").click()
    wait.until(ec.visibility_of_element_located((By.ID, "logout")))


def png_square(size, rgb):
    """A PNG of one colour, made here: a logo for lmpd to store and serve."""
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def logo_shown(driver):
    """The header's logo, once loaded from lmpd: its URL, else None."""
    return driver.execute_script(
        "const i = document.getElementById('brand-logo');"
        "return !i.hidden && i.complete && i.naturalWidth > 0 ? i.src : null;")


def check_password_login_and_branding(lmpd, driver, wait, base, shots, reseller, reseller_token,
                                      customer):
    """Password login (the parent's admin, a reseller's customer's user) and the branding each
    sees: the parent's logo served by lmpd; for the reseller's customer the reseller's own name,
    colour, contacts and SVG logo, once the reseller may brand (modify_branding)."""
    import base64
    lmpd.call("PUT", "/v1/branding/logo",
              {"content_type": "image/png",
               "data": base64.b64encode(png_square(24, (245, 196, 0))).decode()})
    lmpd.call("PUT", f"/v1/partners/{reseller['id']}/permissions",
              {"permissions": ["create_customers", "view_customers", "view_licenses",
                               "create_registration_keys", "modify_branding"]})
    lmpd.call("PUT", "/v1/branding", {"display_name": "Resell One Licensing",
                                      "primary_color": "#0a7a3c",
                                      "support_email": "help@resell.example"}, token=reseller_token)
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24">'
           '<circle cx="12" cy="12" r="11" fill="#f5c400"/></svg>')
    lmpd.call("PUT", "/v1/branding/logo",
              {"content_type": "image/svg+xml", "data": base64.b64encode(svg.encode()).decode()},
              token=reseller_token)
    admin = lmpd.call("GET", "/v1/me")["user"]["id"]
    lmpd.call("PUT", f"/v1/users/{admin}/password", {"password": "contoso admin password"})
    buyer = lmpd.call("POST", "/v1/users", {"name": "buyer", "customer": customer["id"]})
    lmpd.call("PUT", f"/v1/users/{buyer['user']['id']}/password",
              {"password": "a buyer's own password", "login": "Buyer"})

    driver.delete_all_cookies()
    # A wrong password is refused on the form, with the answer an unknown user gets.
    driver.get(base + "/")
    wait.until(ec.visibility_of_element_located((By.ID, "login-user"))).send_keys("admin")
    driver.find_element(By.ID, "login-password").send_keys("not the password")
    driver.find_element(By.ID, "password-login-button").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "password-login-error"), "wrong"))

    # The parent's admin: its name and its logo, served by lmpd.
    log_in_with_password(driver, wait, base, "admin", "contoso admin password")
    check("admin" in driver.find_element(By.ID, "who").text, "not logged in as the admin")
    check(driver.find_element(By.ID, "brand-name").text == "Contoso Licensing", "no branding")
    src = wait.until(logo_shown)
    check(src.startswith(base + "/v1/branding/logo?v="), f"the logo's URL: {src}")
    shots.take("logo")
    driver.find_element(By.ID, "logout").click()

    # The reseller's customer: the reseller's branding over the parent's.
    log_in_with_password(driver, wait, base, "BUYER", "a buyer's own password")
    wait.until(ec.text_to_be_present_in_element((By.ID, "brand-name"), "Resell One Licensing"))
    color = driver.execute_script(
        "return getComputedStyle(document.querySelector('.bar')).backgroundColor")
    check(color == "rgb(10, 122, 60)", f"the reseller's colour is not applied: {color}")
    check("help@resell.example" in driver.find_element(By.ID, "support").text, "support contact")
    check(IMG_NAME in driver.find_element(By.ID, "who").text, "not the reseller's customer")
    src = wait.until(logo_shown)
    status, headers, body = lmpd.http("GET", src[len(base):], token=reseller_token)
    check(status == 200 and headers["Content-Type"] == "image/svg+xml" and "circle" in body,
          f"the customer's logo is not the reseller's: {status} {headers['Content-Type']}")
    check(headers["X-Content-Type-Options"] == "nosniff", "the logo without nosniff")
    check("sandbox" in headers["Content-Security-Policy"], "an SVG logo without sandbox")
    shots.take("branding-customer")
    no_script_ran(driver)
    refused = csp_violations(driver)
    check(not refused, f"CSP violations: {refused}")
    driver.find_element(By.ID, "logout").click()
    wait.until(ec.visibility_of_element_located((By.ID, "login-user")))


def lease_rows(driver):
    """The rows of the leases page by their user (each test lease has its own): the page shows
    a lease's public reference, which the endpoint's lease id is not."""
    rows = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "#lease-rows tr[data-lease]"):
        rows[row.find_elements(By.TAG_NAME, "td")[3].text] = row
    return rows


def no_script_ran(driver):
    try:
        driver.switch_to.alert
        raise AssertionError("an alert opened: a customer name ran as script")
    except NoAlertPresentException:
        pass
    check(driver.execute_script("return window.__xss === undefined"),
          "an <img onerror> in a customer name ran")


def csp_violations(driver):
    return [e["message"] for e in driver.get_log("browser")
            if "Content Security Policy" in e["message"]]


def colored_pixels(driver, selector):
    """Pixels of the chart's canvas in a colour (not white, grey or black): the series' lines and
    points, not the axes or the grid."""
    return driver.execute_script("""
        const canvas = document.querySelector(arguments[0]);
        if (!canvas) return -1;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          const c = [data[i], data[i + 1], data[i + 2]];
          if (data[i + 3] > 0 && Math.max(...c) - Math.min(...c) > 60) n++;
        }
        return n;""", selector)


def table_texts(driver, selector):
    """The cells' texts of each body row of a table."""
    return [[td.text for td in row.find_elements(By.TAG_NAME, "td")]
            for row in driver.find_elements(By.CSS_SELECTOR, selector + " tbody tr")]


def download(driver, wait, folder, link_id):
    """Clicks a download link and answers the file's path once Chromium has written it."""
    for old in glob.glob(os.path.join(folder, "*")):
        os.remove(old)
    driver.find_element(By.ID, link_id).click()
    done = []

    def written(_):
        files = [f for f in glob.glob(os.path.join(folder, "*")) if not f.endswith(".crdownload")]
        done[:] = files
        return bool(files)
    wait.until(written)
    return done[0]


def arguments():
    """The browser tests' command line: (arguments, the folders screenshots go to)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--lmpd", required=True)
    parser.add_argument("--plugins", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--docs")
    args = parser.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    return args, [args.artifacts] + ([args.docs] if args.docs else [])


def main():
    args, shot_dirs = arguments()
    work = tempfile.mkdtemp(prefix="lmpd-console-")
    lmpd = Lmpd(os.path.abspath(args.lmpd), os.path.abspath(args.plugins), work)
    driver = None
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)
    try:
        started = time.time()
        # The tree: the parent's branding; a customer of its own whose name is a script; a
        # reseller allowed to see licenses, with a customer whose name is an <img onerror>.
        lmpd.call("PUT", "/v1/branding", {"display_name": "Contoso Licensing",
                                          "primary_color": "#7a1fa8",
                                          "support_email": "help@contoso.example"})
        reseller = lmpd.call("POST", "/v1/partners", {"name": "Resell One", "kind": "reseller"})
        lmpd.call("PUT", f"/v1/partners/{reseller['id']}/permissions",
                  {"permissions": ["create_customers", "view_customers", "view_licenses",
                                   "create_registration_keys"]})
        reseller_token = lmpd.call("POST", "/v1/users", {"name": "resell-admin",
                                                         "account": reseller["id"]})["token"]["token"]
        own = lmpd.call("POST", "/v1/customers", {"name": SCRIPT_NAME})
        theirs = lmpd.call("POST", "/v1/customers", {"name": IMG_NAME, "account": reseller["id"]})
        own_code = lmpd.call("POST", "/v1/licenses", {"customer": own["id"], "product": "cad",
                                                      "units": 5, "days": 20})["code"]
        their_code = lmpd.call("POST", "/v1/licenses", {"customer": theirs["id"], "product": "cad",
                                                        "units": 3, "days": 30})["code"]

        # Served: the page and its scripts with their types and the security headers.
        status, headers, page = lmpd.http("GET", "/")
        check(status == 200 and headers["Content-Type"].startswith("text/html"), f"/: {status}")
        csp = headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
            check(directive in csp, f"CSP lacks {directive}: {csp}")
        check("unsafe-inline" not in csp, csp)
        check(headers["X-Content-Type-Options"] == "nosniff", "no nosniff")
        check("<script>" not in page.replace('<script type="module" src="/console/js/app.js">', ""),
              "an inline script in index.html")
        status, headers, _ = lmpd.http("GET", "/console/js/app.js")
        check(status == 200 and headers["Content-Type"].startswith("text/javascript"),
              f"app.js: {status} {headers['Content-Type']}")
        etag = headers["ETag"]
        status, _, _ = lmpd.http("GET", "/console/js/app.js", headers={"If-None-Match": etag})
        check(status == 304, f"an unchanged file is not 304 but {status}")

        seat = SeatClient(lmpd.seat_port)
        own_lease = seat.checkout(own_code, "ann", "ws1")
        seat.checkout(own_code, "carl", "ws3")
        their_lease = seat.checkout(their_code, "bob", "ws2")
        # The product that reaches End of Life from the products page: a license of the parent's
        # customer with an activation and a lease. And a denial: more units than the license has.
        old_code = lmpd.call("POST", "/v1/licenses", {"customer": own["id"], "product": "old",
                                                      "units": 2, "days": 90})["code"]
        check(seat.send(f"ACTIVATE code={old_code} host=ws9 user=eve").startswith("OK"),
              "activate old")
        old_lease = seat.checkout(old_code, "eve", "ws9")
        denied = seat.send(f"CHECKOUT code={their_code} units=9 user=zed host=ws8")
        check(denied.startswith("ERR no_seats"), f"the denial: {denied}")

        driver = browser(work)
        driver.execute_cdp_cmd("Page.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": downloads})
        wait = WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,))
        shots = Shots(driver, shot_dirs)
        base = f"http://127.0.0.1:{lmpd.admin_port}"

        # A wrong token is refused on the form.
        driver.get(base + "/")
        wait.until(ec.visibility_of_element_located((By.ID, "token"))).send_keys("lmp_" + "0" * 40)
        driver.find_element(By.ID, "login-button").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "login-error"), "not valid"))
        driver.find_element(By.ID, "token").clear()
        shots.take("login")

        # The parent: the overview counts both customers' licenses, with the branding applied.
        log_in(driver, wait, base, lmpd.token)
        wait.until(ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, '#overview-rows tr[data-product="cad"] [data-field="used"]'), "3"))
        row = retry(lambda: driver.find_element(
            By.CSS_SELECTOR, '#overview-rows tr[data-product="cad"]').text)
        check("8 seats" in row, f"overview row: {row}")
        check(driver.find_element(By.ID, "brand-name").text == "Contoso Licensing", "no branding")
        color = driver.execute_script(
            "return getComputedStyle(document.querySelector('.bar')).backgroundColor")
        check(color == "rgb(122, 31, 168)", f"the branding colour is not applied: {color}")
        # The last day's chart from the usage reports, the denial, the licenses ending soon.
        wait.until(lambda d: colored_pixels(d, "#overview-day canvas") > 20)
        wait.until(lambda d: any("no_seats" in r for r in
                                 map(" ".join, table_texts(d, "#overview-denials"))))
        wait.until(lambda d: any("cad" in r and SCRIPT_NAME in r
                                 for r in table_texts(d, "#overview-expiring")))
        no_script_ran(driver)
        shots.take("overview")

        # The leases page: all three, the names as text, nothing run.
        driver.get(base + "/#leases")
        wait.until(lambda d: {"ann", "carl", "bob"} <= set(lease_rows(d)))
        names = retry(lambda: {
            lease_rows(driver)[lease].find_element(By.CLASS_NAME, "customer").text
            for lease in ("ann", "bob")})
        check(names == {SCRIPT_NAME, IMG_NAME}, f"customer names shown as {names}")
        no_script_ran(driver)
        shots.take("leases")

        # A lease checked out now appears without a reload.
        late = SeatClient(lmpd.seat_port)
        late.checkout(own_code, "dora", "ws4")
        wait.until(lambda d: "dora" in lease_rows(d))

        # Release from the page, with a reason: gone from the list, refused at its heartbeat.
        retry(lambda: lease_rows(driver)["ann"].find_element(
            By.CSS_SELECTOR, "button.release").click())
        wait.until(ec.visibility_of_element_located((By.ID, "release-reason"))).send_keys(
            "ws1 crashed")
        shots.take("release")
        driver.find_element(By.ID, "release-confirm").click()
        wait.until(lambda d: "ann" not in lease_rows(d))
        answer = seat.send(f"HEARTBEAT lease={own_lease}")
        check(answer.startswith("ERR lease_revoked"), f"HEARTBEAT after release: {answer}")
        check("ws1%20crashed" in answer, f"the reason is not in the refusal: {answer}")
        audit = lmpd.call("GET", "/v1/audit")
        check(any("ws1 crashed" in json.dumps(r) for r in audit["items"]), "no audit record")
        no_script_ran(driver)

        # The usage page: use per product and day, the chart drawn by uPlot with a series per
        # product, and the CSV of the same report holding the checkouts made above.
        driver.get(base + "/#usage")
        wait.until(lambda d: any(r and r[0] == "cad" for r in table_texts(d, "#usage-table")))
        legend = [e.get_attribute("textContent") for e in driver.find_elements(
            By.CSS_SELECTOR, "#usage-chart .u-legend .u-series")]
        check(any("cad · CAD Studio" in t for t in legend), f"no cad series: {legend}")
        check(any(f"old · {SCRIPT_NAME}" in t for t in legend), f"the old product's: {legend}")
        wait.until(lambda d: colored_pixels(d, "#usage-chart canvas") > 20)
        no_script_ran(driver)
        shots.take("usage")
        path = download(driver, wait, downloads, "usage-csv")
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        cad = [r for r in rows if r["product"] == "cad"]
        check(len(cad) == 1, f"the CSV's cad rows: {rows}")
        # ann, carl, bob and dora checked cad out; bob's 9 units were refused.
        check(int(cad[0]["checkouts"]) == 4 and int(cad[0]["peak_units"]) == 4,
              f"the CSV's cad row: {cad[0]}")
        check(cad[0]["from"].endswith("T00:00:00Z"), f"a day's row: {cad[0]}")
        # Partner billing: per customer and month, the names as text.
        Select(driver.find_element(By.ID, "usage-report")).select_by_value("billing")
        wait.until(lambda d: {SCRIPT_NAME, IMG_NAME} <= {
            r[0] for r in table_texts(d, "#usage-table") if r})
        Select(driver.find_element(By.ID, "usage-report")).select_by_value("denials")
        wait.until(lambda d: any("no_seats" in r for r in table_texts(d, "#usage-table")))
        no_script_ran(driver)

        # The audit page: the release made above, found by its action and by its actor.
        admin_user = lmpd.call("GET", "/v1/me")["user"]["id"]
        for i in range(55):
            lmpd.call("POST", "/v1/customers", {"name": f"bulk {i:02d}"})
        driver.get(base + "/#audit")
        wait.until(lambda d: len(table_texts(d, "#audit")) == 50)
        action = driver.find_element(By.ID, "audit-action")
        action.send_keys("lease.release")
        driver.find_element(By.ID, "audit-run").click()
        wait.until(lambda d: {r[3] for r in table_texts(d, "#audit")} == {"lease.release"})
        rows = table_texts(driver, "#audit")
        check(len(rows) == 1 and "ws1 crashed" in rows[0][6], f"the release's record: {rows}")
        shots.take("audit")
        # By actor: the parent's admin made it; the reseller's user made no release.
        actor = driver.find_element(By.ID, "audit-actor")
        actor.send_keys(str(admin_user))
        driver.find_element(By.ID, "audit-run").click()
        time.sleep(0.3)
        wait.until(lambda d: len(table_texts(d, "#audit")) == 1 and
                   table_texts(d, "#audit")[0][3] == "lease.release")
        actor.clear()
        actor.send_keys(str(lmpd.call("GET", "/v1/me", token=reseller_token)["user"]["id"]))
        driver.find_element(By.ID, "audit-run").click()
        wait.until(lambda d: "No records." in d.find_element(By.ID, "audit").text)
        # Paged: the 55 customers made above, 50 on the first page, the rest on the next.
        actor.clear()
        action.clear()
        action.send_keys("customer.create")
        driver.find_element(By.ID, "audit-run").click()
        wait.until(lambda d: len(table_texts(d, "#audit")) == 50 and
                   {r[3] for r in table_texts(d, "#audit")} == {"customer.create"})
        driver.find_element(By.ID, "audit-next").click()
        wait.until(lambda d: "page 2" in d.find_element(By.ID, "audit-page").text)
        wait.until(lambda d: 0 < len(table_texts(d, "#audit")) < 50)
        second = table_texts(driver, "#audit")
        check(len(second) == 55 + 2 - 50, f"the second page: {len(second)} rows")
        check(not driver.find_element(By.ID, "audit-next").is_enabled(), "a third page offered")
        driver.find_element(By.ID, "audit-previous").click()
        wait.until(lambda d: len(table_texts(d, "#audit")) == 50)

        # The products page: End of Life only after a confirmation showing the dry run's counts.
        driver.get(base + "/#products")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#products tr[data-product="old"]'))
        old_row = driver.find_element(By.CSS_SELECTOR, '#products tr[data-product="old"]')
        check(SCRIPT_NAME in old_row.text, f"the product's name as text: {old_row.text}")
        no_script_ran(driver)
        shots.take("products")
        expected = lmpd.call("POST", "/v1/products/old/end-of-life?dry_run=true")["would_delete"]
        check(expected["licenses"] == 1 and expected["leases"] == 1, f"the dry run: {expected}")
        old_row.find_element(By.CSS_SELECTOR, "button[data-eol]").click()
        wait.until(ec.visibility_of_element_located((By.ID, "eol-dialog")))
        for name, count in expected.items():
            shown = driver.find_element(By.CSS_SELECTOR, f'#eol-counts [data-count="{name}"]').text
            check(shown.startswith(f"{count} "), f"{name}: shown {shown}, the dry run {count}")
        confirm = driver.find_element(By.ID, "eol-confirm")
        check(not confirm.is_enabled(), "End of Life possible without typing the code")
        shots.take("end-of-life")
        driver.find_element(By.ID, "eol-cancel").click()
        check(lmpd.call("GET", "/v1/products/old")["state"] == "active", "cancel ended the product")
        check(seat.send(f"HEARTBEAT lease={old_lease}").startswith("OK"), "old lease after cancel")
        driver.find_element(By.CSS_SELECTOR, '#products tr[data-product="old"] button[data-eol]').click()
        wait.until(ec.visibility_of_element_located((By.ID, "eol-code"))).send_keys("ol")
        check(not driver.find_element(By.ID, "eol-confirm").is_enabled(), "a wrong code enables")
        driver.find_element(By.ID, "eol-code").send_keys("d")
        driver.find_element(By.ID, "eol-confirm").click()
        wait.until(lambda d: "end of life" in d.find_element(
            By.CSS_SELECTOR, '#products tr[data-product="old"]').text)
        product = lmpd.call("GET", "/v1/products/old")
        check(product["state"] == "end_of_life" and product["data_deleted"], f"after: {product}")
        answer = seat.send(f"HEARTBEAT lease={old_lease}")
        check(answer.startswith("ERR lease_revoked") and "End%20of%20Life" in answer,
              f"the old lease's heartbeat: {answer}")
        deleted = lmpd.call("GET", "/v1/audit?action=product.data_deleted")["items"]
        check(len(deleted) == 1 and deleted[0]["after"]["licenses"] == expected["licenses"],
              f"the deletion's record: {deleted}")

        # The page's own code, uPlot's included, needed nothing the policy refuses.
        refused = csp_violations(driver)
        check(not refused, f"CSP violations: {refused}")

        # Logout ends the session: the page asks for a token again.
        driver.find_element(By.ID, "logout").click()
        wait.until(ec.visibility_of_element_located((By.ID, "token")))
        driver.refresh()
        wait.until(ec.visibility_of_element_located((By.ID, "token")))

        # The reseller sees its own customer's lease only, and no release button (it may not
        # modify customers).
        log_in(driver, wait, base, reseller_token)
        driver.get(base + "/#leases")
        wait.until(lambda d: "bob" in lease_rows(d))
        time.sleep(0.5)
        rows = retry(lambda: set(lease_rows(driver)))
        check(rows == {"bob"}, f"the reseller sees the leases of {sorted(rows)}")
        check(not driver.find_elements(By.CSS_SELECTOR, "button.release"),
              "a release button offered without modify_customers")
        no_script_ran(driver)
        shots.take("leases-reseller")
        # Its usage: its own customer only.
        driver.get(base + "/#usage")
        Select(wait.until(ec.visibility_of_element_located((By.ID, "usage-group")))) \
            .select_by_value("customer")
        wait.until(lambda d: any(r and r[0] == IMG_NAME for r in table_texts(d, "#usage-table")))
        time.sleep(0.3)
        customers = {r[0] for r in table_texts(driver, "#usage-table")}
        check(customers == {IMG_NAME}, f"the reseller's usage shows {customers}")
        shots.take("usage-reseller")
        # Its audit log: nothing about the parent's own customers.
        driver.get(base + "/#audit")
        wait.until(lambda d: table_texts(d, "#audit") and d.find_element(By.ID, "audit-page").text)
        objects = {r[4] for r in table_texts(driver, "#audit")}
        check(f"customer:{theirs['id']}" in objects, f"the reseller's audit: {objects}")
        check(f"customer:{own['id']}" not in objects, f"the reseller sees {objects}")
        # The products, without the lifecycle buttons (the parent's alone).
        driver.get(base + "/#products")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#products tr[data-product="cad"]'))
        check(not driver.find_elements(By.CSS_SELECTOR, "button[data-eol], button[data-eos]"),
              "lifecycle buttons offered to a reseller")
        no_script_ran(driver)
        refused = csp_violations(driver)
        check(not refused, f"CSP violations: {refused}")

        check_password_login_and_branding(lmpd, driver, wait, base, shots, reseller,
                                          reseller_token, theirs)

        # CSRF, as another site's page would try it: the cookie alone changes nothing.
        status, headers, login = lmpd.http("POST", "/v1/console/session", {"token": lmpd.token})
        check(status == 200, f"login over HTTP: {status} {login}")
        set_cookie = headers["Set-Cookie"]
        for attribute in ("HttpOnly", "SameSite=Strict", "Path=/"):
            check(attribute in set_cookie, f"the cookie lacks {attribute}: {set_cookie}")
        check("Secure" not in set_cookie, "Secure on a plain listener")
        cookie = {"Cookie": set_cookie.split(";")[0]}
        their_ref = lmpd.call("GET", "/v1/leases?user=bob")["items"][0]["id"]
        target = f"/v1/leases/{their_ref}"
        status, _, answer = lmpd.http("DELETE", target, {"reason": "csrf"}, headers=cookie)
        check(status == 403 and answer["error"]["code"] == "csrf_token_invalid",
              f"a cookie write without the CSRF header: {status} {answer}")
        wrong = dict(cookie, **{"X-CSRF-Token": "0" * 64})
        status, _, _ = lmpd.http("DELETE", target, {"reason": "csrf"}, headers=wrong)
        check(status == 403, f"a cookie write with a wrong CSRF token: {status}")
        check(seat.send(f"HEARTBEAT lease={their_lease}").startswith("OK"),
              "the lease was released by a refused request")
        status, _, _ = lmpd.http("GET", "/v1/leases", headers=cookie)
        check(status == 200, f"a cookie read: {status}")
        right = dict(cookie, **{"X-CSRF-Token": login["csrf_token"]})
        status, _, answer = lmpd.http("DELETE", target, {"reason": "with the token"}, headers=right)
        check(status == 200, f"a cookie write with its CSRF token: {status} {answer}")
        status, _, _ = lmpd.http("DELETE", "/v1/console/session", headers=right)
        check(status == 200, f"logout: {status}")
        status, _, _ = lmpd.http("GET", "/v1/leases", headers=cookie)
        check(status == 401, f"the cookie after logout: {status}")

        print(f"console browser test passed in {time.time() - started:.1f} s")
        return 0
    except Exception:
        if driver is not None:
            try:
                driver.save_screenshot(os.path.join(args.artifacts, "failure.png"))
            except Exception:
                pass
        sys.stderr.write(open(lmpd.log_path).read()[-4000:])
        raise
    finally:
        if driver is not None:
            driver.quit()
        lmpd.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
