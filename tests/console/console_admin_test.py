#!/usr/bin/python3
"""The console's licenses and keys, accounts and policy pages in a real browser (issue #20,
docs/console.md): headless Chromium driven by Selenium against a real lmpd built by the tree
(temporary folder, SQLite, free ports), with the helpers of console_test.py.

The parent creates a license on the page and sees its activation code once (gone after a reload),
copies it, and a seat is checked out with it over the seat protocol; it issues registration keys
and voids one; a customer's user redeems another on its page and checks a seat out with that code.
The accounts page shows the tree with statuses and permissions, suspends, activates and cancels
partners, disables and enables a customer and sets a partner's permissions, each confirmed by the
API. A site policy with errors shows each at the API's JSON path with its message and saves
nothing; a valid one saves, the API returns it, and the page's check names the deciding rule. A
reseller's login sees only its own customers on the three pages and none of the buttons it may not
use. Names holding markup are shown as text; no page breaks the Content-Security-Policy.

Usage: console_admin_test.py --lmpd BIN --plugins DIR --artifacts DIR [--docs DIR]
"""
import json
import os
import re
import shutil
import sys
import tempfile
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_test import (IMG_NAME, SCRIPT_NAME, Lmpd, SeatClient, Shots,  # noqa: E402
                          arguments, browser, check, csp_violations, log_in, no_script_ran,
                          retry, table_texts)

RESELLER_PERMISSIONS = ["create_customers", "create_registration_keys", "view_customers",
                        "view_licenses"]


class Run:
    """What every step shares: the server, the browser and the tree made through the API."""

    def __init__(self, lmpd, driver, shots):
        self.lmpd, self.driver, self.shots = lmpd, driver, shots
        self.wait = WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,))
        self.base = f"http://127.0.0.1:{lmpd.admin_port}"
        self.seat = SeatClient(lmpd.seat_port)

    def page(self, name, ready):
        """Opens page `name` and waits for the element `ready` (a CSS selector)."""
        self.driver.get(f"{self.base}/#{name}")
        return self.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ready)))

    def css(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def click(self, selector):
        retry(lambda: self.wait.until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, selector))).click())

    def fill(self, element_id, text):
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    def show(self, selector):
        """Scrolls the page so that the screenshot shows `selector`."""
        self.driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()",
                                   selector)

    def log_out(self):
        self.click("#logout")
        self.wait.until(ec.visibility_of_element_located((By.ID, "token")))

    def clean(self):
        no_script_ran(self.driver)
        refused = csp_violations(self.driver)
        check(not refused, f"CSP violations: {refused}")


def make_tree(lmpd):
    """The parent's own customer named as a script, a reseller with its customer named as an
    <img onerror>, a user of each, a plan to issue keys from, and a spare customer and partner
    to change the status of."""
    tree = {}
    tree["reseller"] = lmpd.call("POST", "/v1/partners", {"name": "Resell One",
                                                          "kind": "reseller"})["id"]
    lmpd.call("PUT", f"/v1/partners/{tree['reseller']}/permissions",
              {"permissions": RESELLER_PERMISSIONS})
    tree["reseller_token"] = lmpd.call("POST", "/v1/users", {
        "name": "resell-admin", "account": tree["reseller"]})["token"]["token"]
    tree["old_partner"] = lmpd.call("POST", "/v1/partners", {"name": "Old Partner",
                                                             "kind": "msp"})["id"]
    tree["own"] = lmpd.call("POST", "/v1/customers", {"name": SCRIPT_NAME})["id"]
    tree["own_token"] = lmpd.call("POST", "/v1/users", {
        "name": "site-admin", "customer": tree["own"]})["token"]["token"]
    tree["theirs"] = lmpd.call("POST", "/v1/customers", {"name": IMG_NAME,
                                                         "account": tree["reseller"]})["id"]
    tree["their_license"] = lmpd.call("POST", "/v1/licenses", {
        "customer": tree["theirs"], "product": "cad", "units": 3, "days": 30})["id"]
    tree["spare"] = lmpd.call("POST", "/v1/customers", {"name": "Spare Co"})["id"]
    tree["spare_license"] = lmpd.call("POST", "/v1/licenses", {
        "customer": tree["spare"], "product": "cad", "units": 1, "days": 30})["id"]
    tree["plan"] = lmpd.call("POST", "/v1/plans", {
        "name": "cad-year", "product": "cad", "trial": False, "period_days": 365})["id"]
    return tree


def licenses_and_keys(run, tree):
    """The parent: a license made on the page, its code once; keys issued, one voided."""
    lmpd, driver = run.lmpd, run.driver
    run.page("licenses", "#license-new")
    run.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#licenses tbody tr[data-license]"))
    run.click("#license-new")
    run.wait.until(ec.visibility_of_element_located((By.ID, "license-dialog")))
    Select(driver.find_element(By.ID, "license-customer")).select_by_value(str(tree["own"]))
    Select(driver.find_element(By.ID, "license-product")).select_by_value("cad")
    run.fill("license-units", "2")
    run.fill("license-days", "30")
    run.click("#license-create")
    field = run.wait.until(ec.visibility_of_element_located(
        (By.CSS_SELECTOR, "#shown-once input.secret")))
    code = field.get_attribute("value")
    check(re.fullmatch(r"\d{5}(-\d{5}){3}", code), f"the activation code shown: {code!r}")
    panel = driver.find_element(By.ID, "shown-once").text
    check(SCRIPT_NAME in panel, f"the customer's name as text in the panel: {panel}")
    # The copy button puts the code on the clipboard.
    run.click("#shown-once button.copy")
    run.wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "#shown-once .copied"),
                                                    "Copied"))
    copied = driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], () => arguments[0](null));")
    check(copied == code, f"the clipboard holds {copied!r}, not the code")
    run.shots.take("license-code")

    made = [lic for lic in lmpd.call("GET", f"/v1/licenses?customer={tree['own']}")["items"]
            if lic["units"] == 2]
    check(len(made) == 1 and "code" not in made[0], f"the license made: {made}")
    license_id = made[0]["id"]
    # The code works over the seat protocol.
    run.seat.checkout(code, "lic-user", "ws-lic")
    run.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR,
                                             f'#licenses tr[data-license="{license_id}"]'))

    # Never again: a reload shows the license, not its code.
    driver.refresh()
    run.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR,
                                             f'#licenses tr[data-license="{license_id}"]'))
    check(code not in driver.page_source and not run.css("#shown-once"),
          "the activation code is shown again after a reload")
    # The list's filters are the API's: by customer, by state.
    Select(driver.find_element(By.ID, "licenses-customer")).select_by_value(str(tree["own"]))
    run.wait.until(lambda d: {r[1] for r in table_texts(d, "#licenses")} == {SCRIPT_NAME})
    Select(driver.find_element(By.ID, "licenses-state")).select_by_value("expired")
    run.wait.until(lambda d: "No licenses." in d.find_element(By.ID, "licenses").text)
    Select(driver.find_element(By.ID, "licenses-state")).select_by_value("")
    Select(driver.find_element(By.ID, "licenses-customer")).select_by_value("")
    run.wait.until(lambda d: len(table_texts(d, "#licenses")) == 3)

    # Two keys issued from the plan, shown once.
    run.click("#keys-issue")
    run.wait.until(ec.visibility_of_element_located((By.ID, "keys-dialog")))
    Select(driver.find_element(By.ID, "keys-plan")).select_by_value(str(tree["plan"]))
    run.fill("keys-count", "2")
    run.click("#keys-create")
    run.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#shown-once input.secret")) == 2)
    keys = [e.get_attribute("value") for e in run.css("#shown-once input.secret")]
    check(all(re.fullmatch(r"[A-Z]{2}(-[0-9A-Z]{4}){4}", k) for k in keys), f"the keys: {keys}")
    run.shots.take("keys-issued")
    listed = lmpd.call("GET", "/v1/registration-keys")["items"]
    by_text = {k: next(x for x in listed if x["hint"].endswith(k[-4:])) for k in keys}
    check(all(x["status"] == "issued" for x in by_text.values()), f"issued: {listed}")
    # The second voided from its row, after the confirmation.
    voided = by_text[keys[1]]["id"]
    run.click(f'#keys tr[data-key="{voided}"] button[data-void]')
    run.wait.until(ec.visibility_of_element_located((By.ID, "void-dialog")))
    run.click("#void-confirm")
    run.wait.until(lambda d: "voided" in d.find_element(
        By.CSS_SELECTOR, f'#keys tr[data-key="{voided}"]').text)
    check(not run.css(f'#keys tr[data-key="{voided}"] button[data-void]'), "void offered again")
    check(lmpd.call("GET", f"/v1/registration-keys/{voided}")["status"] == "voided", "not voided")
    check(code not in driver.page_source, "the license's code is back on the page")
    run.click("#shown-once-done")
    check(not run.css("#shown-once") and keys[0] not in driver.page_source,
          "the keys are still shown after Done")
    run.show("#keys")
    run.shots.take("licenses")
    run.clean()
    return keys


def accounts(run, tree):
    """The parent's tree: statuses and permissions shown and changed, each through the API."""
    lmpd, driver = run.lmpd, run.driver
    reseller = tree["reseller"]
    run.page("accounts", f'li[data-account="{reseller}"]')
    where = driver.execute_script("""
        const of = (s) => { const e = document.querySelector(s);
          return e && e.parentElement.closest('li').dataset.account; };
        return [of('li[data-customer="' + arguments[0] + '"]'),
                of('li[data-customer="' + arguments[1] + '"]'),
                of('li[data-account="' + arguments[2] + '"]')];""",
                                  tree["theirs"], tree["own"], reseller)
    check(where == [str(reseller), "1", "1"], f"the tree's branches: {where}")
    names = {e.text for e in run.css("#accounts-tree .name")}
    check({SCRIPT_NAME, IMG_NAME, "Resell One", "Spare Co"} <= names, f"the names: {names}")
    perms = [e.text for e in run.css(f'ul[data-permissions="{reseller}"] li')]
    check(perms == RESELLER_PERMISSIONS, f"the reseller's permissions shown: {perms}")
    run.shots.take("accounts")

    line = f'li[data-account="{reseller}"] > .line'
    run.click(f"{line} button[data-action=suspend]")
    run.click("#partner-status-confirm")
    run.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f"{line} .badge").text == "suspended")
    check(lmpd.call("GET", f"/v1/partners/{reseller}")["status"] == "suspended", "not suspended")
    run.click(f"{line} button[data-action=activate]")
    run.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f"{line} .badge").text == "active")
    check(lmpd.call("GET", f"/v1/partners/{reseller}")["status"] == "active", "not active again")

    # Cancel is final: asked first, and then no status button is offered.
    old_line = f'li[data-account="{tree["old_partner"]}"] > .line'
    run.click(f"{old_line} button[data-action=cancel]")
    run.click("#partner-status-cancel")
    check(lmpd.call("GET", f"/v1/partners/{tree['old_partner']}")["status"] == "active",
          "Cancel in the dialog canceled the partner")
    run.click(f"{old_line} button[data-action=cancel]")
    run.click("#partner-status-confirm")
    run.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f"{old_line} .badge").text ==
                   "canceled")
    check(not run.css(f"{old_line} button[data-action=activate], "
                      f"{old_line} button[data-action=cancel]"), "status buttons after cancel")
    check(lmpd.call("GET", f"/v1/partners/{tree['old_partner']}")["status"] == "canceled",
          "not canceled")

    # The parent sets the reseller's permissions: the complete set, as ticked.
    run.click(f"{line} button[data-action=permissions]")
    run.wait.until(ec.visibility_of_element_located((By.ID, "permissions-dialog")))
    boxes = {e.get_attribute("value"): e.is_selected()
             for e in run.css("#permissions-dialog input[type=checkbox]")}
    check({k for k, v in boxes.items() if v} == set(RESELLER_PERMISSIONS), f"ticked: {boxes}")
    run.click("#perm-modify_branding")
    run.shots.take("permissions")
    run.click("#permissions-save")
    wanted = sorted(RESELLER_PERMISSIONS + ["modify_branding"])
    run.wait.until(lambda d: [e.text for e in d.find_elements(
        By.CSS_SELECTOR, f'ul[data-permissions="{reseller}"] li')] == wanted)
    check(sorted(lmpd.call("GET", f"/v1/partners/{reseller}")["permissions"]) == wanted,
          "the permissions the API holds")

    # A customer disabled (its license with it) and enabled again.
    spare = f'li[data-customer="{tree["spare"]}"] > .line'
    run.click(f"{spare} button[data-action=disable]")
    run.click("#customer-status-confirm")
    run.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f"{spare} .badge").text ==
                   "disabled")
    check(lmpd.call("GET", f"/v1/licenses/{tree['spare_license']}")["state"] == "disabled",
          "the disabled customer's license serves")
    run.click(f"{spare} button[data-action=enable]")
    run.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f"{spare} .badge").text == "enabled")
    check(lmpd.call("GET", f"/v1/customers/{tree['spare']}")["status"] == "enabled", "enabled")
    run.clean()


BAD_POLICY = """{"product": "cad",
 "groups": {"loop": {"groups": ["loop"]}},
 "include": ["group:ghost"],
 "max": [{"for": "user:*", "units": -2}],
 "linger": 99999999}"""
GOOD_POLICY = """{"product": "cad",
 "groups": {"design": {"users": ["ann", "lic-user"]}},
 "exclude": ["user:mallory"],
 "max": [{"for": "user:*", "units": 1}]}"""


def set_policy_text(run, text):
    run.driver.execute_script("document.getElementById('policy-json').value = arguments[0];", text)
    run.click("#policy-save")


def policy(run, tree):
    """A refused policy shows each problem at the API's path and saves nothing; a valid one is
    saved and read back; the check names the deciding rule."""
    lmpd, driver = run.lmpd, run.driver
    own = tree["own"]
    run.page("policy", f'#policy-customer option[value="{own}"]')
    Select(driver.find_element(By.ID, "policy-customer")).select_by_value(str(own))
    run.wait.until(lambda d: "No policy" in d.find_element(By.ID, "policy-list").text)
    Select(driver.find_element(By.ID, "policy-new-product")).select_by_value("cad")
    run.click("#policy-new")
    run.wait.until(ec.visibility_of_element_located((By.ID, "policy-json")))

    set_policy_text(run, BAD_POLICY)
    run.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#policy-problems li[data-path]"))
    shown = [(e.get_attribute("data-path"), e.text)
             for e in run.css("#policy-problems li[data-path]")]
    # The same policy straight to the API: the page shows exactly its problems.
    status, _, answer = lmpd.http("PUT", f"/v1/customers/{own}/policy", json.loads(BAD_POLICY),
                                  lmpd.token)
    check(status == 400, f"the API took the bad policy: {status} {answer}")
    expected = [(p["path"], f'{p["path"]}: {p["message"]}') for p in answer["error"]["problems"]]
    check(shown == expected, f"the page shows {shown}, the API says {expected}")
    paths = [p for p, _ in shown]
    for path in ("groups.loop.groups", "include[0]", "max[0].units", "linger"):
        check(path in paths, f"{path} not among {paths}")
    status, _, _ = lmpd.http("GET", f"/v1/customers/{own}/policy?product=cad", token=lmpd.token)
    check(status == 404, f"a refused policy was saved: {status}")
    run.show("#policy-editor")
    run.shots.take("policy-errors")

    # Not JSON at all: the API's own refusal, nothing saved.
    set_policy_text(run, '{"product": "cad",')
    run.wait.until(lambda d: "not valid JSON" in d.find_element(By.ID, "policy-problems").text)

    set_policy_text(run, GOOD_POLICY)
    run.wait.until(ec.text_to_be_present_in_element((By.ID, "policy-saved"), "Saved at"))
    stored = lmpd.call("GET", f"/v1/customers/{own}/policy?product=cad")
    check(stored["exclude"] == ["user:mallory"] and stored["max"] == [{"for": "user:*",
                                                                       "units": 1}] and
          stored["groups"]["design"]["users"] == ["ann", "lic-user"], f"stored: {stored}")
    check(not run.css("#policy-problems li"), "problems left after saving")
    shown = json.loads(driver.find_element(By.ID, "policy-json").get_attribute("value"))
    check(shown["exclude"] == ["user:mallory"] and "customer" not in shown,
          f"the editor after saving: {shown}")
    check(run.css('#policy-list button[data-policy="cad"]'), "the saved policy is not listed")

    # The API's check: mallory is excluded by exclude[0], on the seat path as well.
    Select(driver.find_element(By.ID, "check-product")).select_by_value("cad")
    run.fill("check-user", "mallory")
    run.click("#check-run")
    run.wait.until(lambda d: table_texts(d, "#policy-check"))
    rows = table_texts(driver, "#policy-check")
    check(rows and all(r[3] == "not allowed" and r[4] == "exclude[0]" for r in rows),
          f"the check: {rows}")
    run.show("#policy-editor .side")
    run.shots.take("policy")
    run.clean()


def customer_redeems(run, tree, keys):
    """A customer's user: redeems a key into its customer, the code shown once; no button it
    may not use; its policy read-only."""
    lmpd, driver = run.lmpd, run.driver
    log_in(driver, run.wait, run.base, tree["own_token"])
    run.page("licenses", "#redeem-key")
    run.wait.until(lambda d: table_texts(d, "#licenses"))
    check(not run.css("#license-new, #keys-issue, #keys, button[data-void]"),
          "a customer's user is offered licenses or keys to make")
    check({r[1] for r in table_texts(driver, "#licenses")} == {SCRIPT_NAME},
          f"the customer sees {table_texts(driver, '#licenses')}")
    run.fill("redeem-key", keys[0].lower().replace("-", ""))  # as people type it
    run.click("#redeem-button")
    field = run.wait.until(ec.visibility_of_element_located(
        (By.CSS_SELECTOR, "#shown-once input.secret")))
    code = field.get_attribute("value")
    check(re.fullmatch(r"\d{5}(-\d{5}){3}", code), f"the redeemed license's code: {code!r}")
    run.shots.take("redeem")
    run.seat.checkout(code, "ann", "ws-redeem")
    redeemed = [k for k in lmpd.call("GET", "/v1/registration-keys")["items"]
                if k["status"] == "redeemed"]
    check(len(redeemed) == 1 and redeemed[0]["customer"] == tree["own"], f"redeemed: {redeemed}")
    license_id = redeemed[0]["license"]
    run.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR,
                                             f'#licenses tr[data-license="{license_id}"]'))
    # Once only; a voided key is the API's refusal.
    run.fill("redeem-key", keys[0])
    run.click("#redeem-button")
    run.wait.until(ec.text_to_be_present_in_element((By.ID, "redeem-error"), "redeemed"))
    run.fill("redeem-key", keys[1])
    run.click("#redeem-button")
    run.wait.until(ec.text_to_be_present_in_element((By.ID, "redeem-error"), "void"))
    driver.refresh()
    run.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR,
                                             f'#licenses tr[data-license="{license_id}"]'))
    check(code not in driver.page_source, "the redeemed code is shown again after a reload")

    # Its policy: read, not changed (the API refuses a customer its own policy's change).
    run.page("policy", "#policy-json")
    run.wait.until(lambda d: "user:mallory" in d.find_element(By.ID, "policy-json")
                   .get_attribute("value"))
    check(driver.find_element(By.ID, "policy-json").get_attribute("readonly") is not None,
          "the policy is editable by the customer")
    check(not run.css("#policy-save, #policy-delete, #policy-new"), "policy buttons offered")
    run.page("accounts", f'li[data-customer="{tree["own"]}"]')
    check(not run.css("#accounts-tree button"), "account buttons offered to a customer")
    run.clean()
    run.log_out()


def reseller_sees_its_own(run, tree):
    """The reseller: its customers only, and no button the API would refuse it."""
    lmpd, driver = run.lmpd, run.driver
    log_in(driver, run.wait, run.base, tree["reseller_token"])
    run.page("accounts", f'li[data-customer="{tree["theirs"]}"]')
    names = {e.text for e in run.css("#accounts-tree .name")}
    check(names == {"Resell One", IMG_NAME}, f"the reseller's tree: {names}")
    check(not run.css("#accounts-tree button"),
          "status or permission buttons offered to a reseller")
    perms = [e.text for e in run.css(f'ul[data-permissions="{tree["reseller"]}"] li')]
    check(perms == sorted(RESELLER_PERMISSIONS + ["modify_branding"]), f"its permissions: {perms}")
    run.shots.take("accounts-reseller")

    run.page("licenses", "#license-new")
    run.wait.until(lambda d: table_texts(d, "#licenses") and table_texts(d, "#keys"))
    rows = table_texts(driver, "#licenses")
    check([r[0] for r in rows] == [str(tree["their_license"])] and rows[0][1] == IMG_NAME,
          f"the reseller's licenses: {rows}")
    check("No registration keys issued." in driver.find_element(By.ID, "keys").text,
          "the parent's keys shown to the reseller")
    options = [o.text for o in Select(driver.find_element(By.ID, "licenses-customer")).options]
    check(options == ["All customers", IMG_NAME], f"the customer filter: {options}")
    run.shots.take("licenses-reseller")
    # It may create licenses, from its pool, which has none: the API's refusal, nothing made.
    run.click("#license-new")
    run.wait.until(ec.visibility_of_element_located((By.ID, "license-dialog")))
    run.click("#license-create")
    run.wait.until(ec.text_to_be_present_in_element((By.ID, "license-error"), "pool"))
    check(len(lmpd.call("GET", f"/v1/licenses?customer={tree['theirs']}")["items"]) == 1,
          "a license was made past the pool")
    driver.find_element(By.CSS_SELECTOR, "#license-dialog button.plain").click()

    run.page("policy", f'#policy-customer option[value="{tree["theirs"]}"]')
    options = [o.text for o in Select(driver.find_element(By.ID, "policy-customer")).options]
    check(options == [f"{IMG_NAME} ({tree['theirs']})"], f"the reseller's customers: {options}")
    check(not run.css("#policy-save, #policy-new"), "policy buttons without modify_customers")
    run.clean()
    run.log_out()


def main():
    args, shot_dirs = arguments()
    work = tempfile.mkdtemp(prefix="lmpd-console-admin-")
    lmpd = Lmpd(os.path.abspath(args.lmpd), os.path.abspath(args.plugins), work)
    driver = None
    passed = False
    try:
        started = time.time()
        tree = make_tree(lmpd)
        driver = browser(work)
        run = Run(lmpd, driver, Shots(driver, shot_dirs))
        # The copy button's check reads the clipboard back.
        driver.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": run.base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        log_in(driver, run.wait, run.base, lmpd.token)
        keys = licenses_and_keys(run, tree)
        accounts(run, tree)
        policy(run, tree)
        run.log_out()
        customer_redeems(run, tree, keys)
        reseller_sees_its_own(run, tree)
        print(f"console admin pages test passed in {time.time() - started:.1f} s")
        passed = True
        return 0
    finally:
        # On a failure: the page as it was, and the end of lmpd's log.
        if driver is not None and not passed:
            driver.save_screenshot(os.path.join(args.artifacts, "failure-admin.png"))
        if driver is not None:
            driver.quit()
        lmpd.stop()
        if not passed:
            with open(lmpd.log_path) as log:
                sys.stderr.write(log.read()[-4000:])
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    sys.exit(main())
