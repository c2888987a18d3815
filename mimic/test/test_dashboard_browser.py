"""
The dashboard in a real browser: Debian's Chromium, driven by Selenium
through chromedriver, headless, against a real ``twistd mimic`` on
loopback, with servers made by openstacksdk as a user's code would.

A person opens Mimic in the browser, sees a server appear, makes servers
named ``doomed-...`` fail from the catalogue's form and sees one go to
ERROR, makes ``slow-...`` servers build for a while and ticks the clock
until one is ACTIVE, removes the conditions, and saves and restores a
snapshot.

Skipped, saying why, where Chromium, chromedriver or Selenium is missing
(``.ci/run`` installs Debian's ``chromium`` and ``chromium-driver`` when
it can).  A failing test leaves a screenshot and the page's console in
its trial temporary directory.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
from typing import Any, Callable

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from mimic.testing import MimicProcess

CHROMIUM = os.environ.get("MIMIC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MIMIC_CHROMEDRIVER", "/usr/bin/chromedriver")

#: How long the page may take to show what it is waiting for: a few of
#: its polls (the test asks for one every half second).
WAIT = 10.0


def missing_browser() -> str | None:
    """
    Why the browser tests cannot run here, or None.
    """
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "Selenium is not installed (pip install selenium): the dashboard's browser tests are skipped."
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (os.path.exists(path) or shutil.which(path)):
            return (
                f"{path} is missing (apt-get install chromium chromium-driver, or set "
                f"MIMIC_CHROMIUM / MIMIC_CHROMEDRIVER): the dashboard's browser tests are skipped "
                f"(Debian package {package})."
            )
    return None


@functools.lru_cache(maxsize=None)
def mimic_url() -> str:
    process = MimicProcess()
    url = process.start()
    atexit.register(process.stop)
    return url


@functools.lru_cache(maxsize=None)
def browser() -> Any:
    """
    The module's one headless Chromium, started on first use.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     # Tall enough that every section is on screen, so
                     # each is polled.
                     "--window-size=1280,6000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    atexit.register(driver.quit)
    return driver


class DashboardBrowserTests(SynchronousTestCase):
    def setUp(self) -> None:
        why = missing_browser()
        if why is not None:
            raise SkipTest(why)
        self.driver = browser()
        self.url = mimic_url()
        self.control = self.url + "/mimic/v1.1"
        self.tenant = f"dash-{self._testMethodName.removeprefix('test_')[:30]}"

    def run(self, result: Any) -> None:
        """
        Run the test; when it fails, leave a screenshot of the page and
        its console in the trial temporary directory.
        """
        def problems() -> int:
            return len(getattr(result, "failures", ())) + len(getattr(result, "errors", ()))

        before = problems()
        super().run(result)
        if problems() > before and getattr(self, "driver", None) is not None and not getattr(self, "_shot", False):
            try:
                self.screenshot("failure")
            except Exception:
                pass

    # Evidence.

    def screenshot(self, label: str) -> str:
        path = os.path.abspath(f"{self._testMethodName}-{label}.png")
        self.driver.save_screenshot(path)
        with open(path[:-4] + "-console.txt", "w") as console:
            for entry in self.driver.get_log("browser"):
                console.write(f"{entry['level']} {entry['message']}\n")
        return path

    def step(self, what: str, check: Callable[[], Any]) -> Any:
        """
        Wait until ``check`` gives something true; on timeout, a
        screenshot and a failure naming the step.
        """
        from selenium.common.exceptions import TimeoutException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def attempt(driver: Any) -> Any:
            try:
                return check()
            except WebDriverException:
                return False

        try:
            return WebDriverWait(self.driver, WAIT, poll_frequency=0.1).until(attempt)
        except TimeoutException:
            self._shot = True
            path = self.screenshot("timeout")
            self.fail(f"The page did not show {what} within {WAIT} s (screenshot: {path}).")

    # The page.

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def press(self, element: Any) -> None:
        """
        Activate a control from the keyboard (focus it, press Enter), as a
        person without a mouse would: no coordinates, so a section
        redrawn meanwhile cannot move the target.
        """
        from selenium.webdriver.common.keys import Keys

        element.send_keys(Keys.ENTER)

    def press_found(self, locate: Callable[[], Any]) -> None:
        """
        :meth:`press` the control ``locate`` finds, finding it again if a
        poll redrew its section in between.
        """
        from selenium.common.exceptions import StaleElementReferenceException

        for attempt in range(3):
            try:
                return self.press(locate())
            except StaleElementReferenceException:
                if attempt == 2:
                    raise

    def server_status(self, name: str) -> str | None:
        rows = self.finds(f'#resources article[data-tenant="{self.tenant}"] tr[data-name="{name}"] td.status')
        return rows[0].text if rows else None

    def open_dashboard(self) -> None:
        # A browser asking for / is sent to the dashboard.
        self.driver.get(self.url + "/")
        self.step("the dashboard after GET /", lambda: "/mimic/dashboard/" in self.driver.current_url)
        self.driver.get(self.url + "/mimic/dashboard/?poll=500")
        self.step("the catalogue", lambda: self.finds('details[data-event="compute.server.create"]'))

    def register_from_form(self, condition: str, name_pattern: str, parameters: dict[str, str]) -> None:
        from selenium.webdriver.support.ui import Select

        search = self.find("#catalogue-search")
        search.clear()
        search.send_keys("server.create")
        event = self.find('details[data-event="compute.server.create"]')
        if event.get_attribute("open") is None:
            self.press(event.find_element("css selector", "summary"))
        form = self.step("the event's form", lambda: event.find_element("css selector", "form"))
        # Empty what an earlier registration typed (one call, not one per field).
        self.driver.execute_script("arguments[0].reset()", form)
        Select(form.find_element("css selector", 'select[name="condition"]')).select_by_value(condition)
        for name, value in parameters.items():
            form.find_element("css selector", f'.parameters [name="{name}"]').send_keys(value)
        form.find_element("css selector", 'input[name="criterion-server_name"]').send_keys(name_pattern)
        form.find_element("css selector", 'input[name="criterion-tenant_id"]').send_keys(f"^{self.tenant}$")
        self.press(form.find_element("css selector", 'button[data-action="register"]'))

    def registered_row(self, condition: str) -> Any:
        for row in self.finds('#registered tr[data-event="compute.server.create"]'):
            if row.find_elements("css selector", "td")[2].text == condition:
                return row
        return None

    # The cloud, as a user's code reaches it.

    def cloud(self) -> Any:
        import openstack

        connection = openstack.connect(
            auth_url=self.url + "/identity/v3",
            username=self.tenant,
            password="any",
            project_name=self.tenant,
            user_domain_name="Default",
            project_domain_name="Default",
            region_name="ORD",
        )
        self.addCleanup(connection.close)
        return connection

    def create_server(self, cloud: Any, name: str) -> Any:
        if not hasattr(self, "_boot"):
            image = next(iter(cloud.image.images()))
            flavor = next(iter(cloud.compute.flavors()))
            self._boot = (image.id, flavor.id)
        image_id, flavor_id = self._boot
        return cloud.compute.create_server(name=name, image_id=image_id, flavor_id=flavor_id)

    # The scenario.

    def test_faults_from_the_page(self) -> None:
        cloud = self.cloud()
        self.create_server(cloud, "web-1")
        self.open_dashboard()
        self.step("web-1 ACTIVE", lambda: self.server_status("web-1") == "ACTIVE")

        # A condition registered from the form generated from the
        # catalogue: servers named doomed-... go to ERROR.
        self.register_from_form("error", "^doomed-", {})
        self.step("the registration", lambda: self.registered_row("error"))
        self.create_server(cloud, "doomed-1")
        self.step("doomed-1 in ERROR", lambda: self.server_status("doomed-1") == "ERROR")
        self.step("the registration fired once",
                  lambda: self.registered_row("error").find_element("css selector", "td.fired-count").text == "1")

        # Servers named slow-... stay in BUILD for 30 s of Mimic's time.
        self.register_from_form("build", "^slow-", {"seconds": "30"})
        self.step("the second registration", lambda: self.registered_row("build"))
        self.create_server(cloud, "slow-1")
        self.step("slow-1 in BUILD", lambda: self.server_status("slow-1") == "BUILD")
        clock = self.find("#clock-now").text
        if self.finds("#clock-pending table"):
            # The clock lists what is due (issue 17): tick to it.
            self.step("slow-1's change among the pending events",
                      lambda: "slow-1" in self.find("#clock-pending").text)
            self.press(self.find("#tick-next"))
        else:
            amount = self.find("#tick-amount")
            amount.clear()
            amount.send_keys("30")
            self.press(self.find("#tick-button"))
        self.step("slow-1 ACTIVE after the tick", lambda: self.server_status("slow-1") == "ACTIVE")
        self.assertNotEqual(self.find("#clock-now").text, clock)

        # Remove both conditions with their buttons.
        for condition in ("error", "build"):
            self.press_found(lambda: self.registered_row(condition).find_element(
                "css selector", 'button[data-action="remove"]'))
            self.step(f"{condition} removed", lambda: self.registered_row(condition) is None)
        self.create_server(cloud, "doomed-2")
        self.step("doomed-2 ACTIVE once the condition is gone",
                  lambda: self.server_status("doomed-2") == "ACTIVE")

    def test_snapshot_saved_and_restored_from_the_page(self) -> None:
        cloud = self.cloud()
        self.create_server(cloud, "kept-1")
        self.open_dashboard()
        self.step("kept-1", lambda: self.server_status("kept-1") == "ACTIVE")
        name = self.find("#snapshot-name")
        name.send_keys("dashboard-world")
        self.press(self.find("#snapshot-save"))
        self.step("the saved snapshot", lambda: self.finds('#snapshots tr[data-snapshot="dashboard-world"]'))
        self.create_server(cloud, "after-1")
        self.step("after-1", lambda: self.server_status("after-1") == "ACTIVE")
        self.press_found(lambda: self.find('#snapshots tr[data-snapshot="dashboard-world"] button[data-action="restore"]'))
        self.step("after-1 gone with the restore", lambda: self.server_status("after-1") is None)
        self.assertEqual(self.server_status("kept-1"), "ACTIVE")
