"""Helpers of the browser tests: a person's tab that runs axe-core on every page it shows.

axe-core 4.10.3 (MPL-2.0, vendor/LICENSE) is vendored for the tests only. It is evaluated
through the DevTools protocol (`page.evaluate`), which the site's Content-Security-Policy
does not apply to, so the pages run under their real CSP; any CSP violation the browser
reports is recorded as a finding too.
"""

from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Finding:
    where: str
    rule: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:5]) + (" …" if len(self.targets) > 5 else "")
        return f"{self.where}: [{self.rule}, {self.impact}] {self.help} → {shown}"


@dataclass
class AxeLog:
    """Every page checked in one test, and what axe (or the browser's CSP) found on it."""

    test: str
    pages: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def add(self, where: str, violations: list[dict]) -> None:
        self.pages.append(where)
        for violation in violations:
            self.findings.append(
                Finding(
                    where=where,
                    rule=violation["id"],
                    impact=violation.get("impact") or "",
                    help=violation["help"],
                    targets=[" ".join(map(str, node["target"])) for node in violation["nodes"]],
                )
            )

    def assert_clean(self) -> None:
        assert self.pages, "no page was checked with axe"
        if self.findings:
            lines = "\n  ".join(str(finding) for finding in self.findings)
            raise AssertionError(
                f"{len(self.findings)} accessibility finding(s) (WCAG 2.1 A/AA, axe-core) on "
                f"{len(self.pages)} checked page(s):\n  {lines}"
            )

    def write_report(self) -> None:
        out = ARTIFACTS / "axe"
        out.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.test)
        (out / f"{safe}.json").write_text(
            json.dumps(
                {"pages": self.pages, "findings": [vars(f) for f in self.findings]},
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )


class Web:
    """One person's browser tab. Navigation helpers check each page they land on."""

    def __init__(self, page: Page, *, base_url: str, name: str, axe: AxeLog) -> None:
        self.page = page
        self.base_url = base_url
        self.name = name
        self.axe = axe
        self.csp_reports: list[str] = []
        self.user = None
        page.on("console", self._console)

    def _console(self, message) -> None:  # noqa: ANN001
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_reports.append(message.text)

    # --- navigation --------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def goto(self, path: str, *, check: bool = True):  # noqa: ANN201
        response = self.page.goto(self.url(path))
        if check:
            self.check()
        return response

    def click(self, target: str | Locator, *, check: bool = True) -> None:
        """Click a link or submit button (by its accessible name, or a locator) and wait."""
        locator = self.button_or_link(target) if isinstance(target, str) else target
        with self.page.expect_navigation():
            locator.click()
        if check:
            self.check()

    def button_or_link(self, name: str) -> Locator:
        exact = re.compile(rf"^\s*{re.escape(name)}\s*$")
        return (
            self.page.get_by_role("button", name=exact)
            .or_(self.page.get_by_role("link", name=exact))
            .first
        )

    def field(self, label: str) -> Locator:
        """The form field labelled `label` (crispy-forms marks required ones with "*")."""
        return self.page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))

    def fill(self, label: str, value: str) -> None:
        self.field(label).fill(value)

    def h1(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def expect_text(self, text: str | re.Pattern) -> None:
        expect(self.page.locator("main")).to_contain_text(text)

    def fetch(self, link: Locator):  # noqa: ANN201
        """Download what `link` points to with this person's cookies (inline or attachment)."""
        href = link.get_attribute("href")
        assert href, "the link has no address"
        response = self.page.request.get(self.url(href) if href.startswith("/") else href)
        assert response.ok, f"{href}: {response.status}"
        return response

    # --- accessibility -----------------------------------------------------------------------
    def check(self) -> None:
        """Run axe-core (WCAG 2.1 A and AA) on the page and record what it finds."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(AXE_SOURCE)
        result = page.evaluate(
            """async (tags) => {
                const r = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                   resultTypes: ["violations"]});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                               nodes: v.nodes.map(n => ({target: n.target}))}));
            }""",
            WCAG_21_A_AA,
        )
        where = f"{self.name} {self.path}"
        self.axe.add(where, result)
        self._check_reflow(where)
        for report in self.csp_reports:
            self.axe.findings.append(Finding(where, "csp", "serious", report, []))
        self.csp_reports.clear()

    def _check_reflow(self, where: str) -> None:
        """WCAG 1.4.10: the page must not scroll sideways, nor any table inside a box of its own:
        every cell of every table lies within the window's width (on a phone a table reads as
        stacked rows; at desktop width its columns fit)."""
        wider = self.page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                if (document.documentElement.scrollWidth <= width) { return []; }
                const out = [];
                for (const el of document.body.querySelectorAll("*")) {
                    // A stacked table's visually hidden headings (1 px, clipped) show nothing.
                    const head = el.closest("thead");
                    if (head && head.getBoundingClientRect().width <= 1) { continue; }
                    const box = el.getBoundingClientRect();
                    if (box.right > width + 1 && box.width > 0) {
                        out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                                 (el.className && typeof el.className === "string"
                                  ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
                    }
                }
                return out.slice(-5);
            }"""
        )
        width = self.page.viewport_size["width"]
        if wider:
            message = f"the page scrolls sideways at {width} px"
            self.axe.findings.append(Finding(where, "reflow", "serious", message, wider))
        cut = table_cells_out_of_view(self.page)
        if cut:
            message = f"table cells outside the window at {width} px (or scrolled inside a box)"
            self.axe.findings.append(Finding(where, "table-reflow", "serious", message, cut))

    # --- screenshots -------------------------------------------------------------------------
    def shot(self, name: str) -> list[Path]:
        """Full-page screenshots of the page at desktop and phone width."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        paths = []
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            # Let resize observers (the chart) lay the page out again first.
            self.page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
            )
            self._check_reflow(f"{self.name} {self.path} ({label})")
            path = SCREENSHOTS / f"{name}-{label}.png"
            self.page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        self.page.set_viewport_size(DESKTOP)
        return paths

    # --- logging in --------------------------------------------------------------------------
    def login(self, user, password: str, *, totp_secret: str | None = None) -> None:  # noqa: ANN001
        """Log in through allauth's pages; with `totp_secret`, pass the second-factor step."""
        self.user = user
        self.goto("/konto/login/")
        self.page.locator("#id_login").fill(user.email)
        self.page.locator("#id_password").fill(password)
        self.click(self.page.locator("main form button[type=submit]").first)
        if totp_secret is not None:
            assert "/2fa/" in self.path or "mfa" in self.path, self.path
            self.page.locator("#id_code").fill(fresh_code(user, totp_secret))
            self.click(self.page.locator("main form button[type=submit]").first)
        assert "/konto/login" not in self.path, f"login failed for {user.email}: {self.path}"

    def reauthenticate_if_asked(self, password: str, *, totp_secret: str | None = None) -> None:
        """Sensitive actions may ask again who you are; answer and come back."""
        if "reauthenticate" in self.path or "/2fa/reauthenticate" in self.path:
            if self.page.locator("#id_password").count():
                self.page.locator("#id_password").fill(password)
            else:
                self.page.locator("#id_code").fill(fresh_code(self.user, totp_secret or ""))
            self.click(self.page.locator("main form button[type=submit]").first)

    def logout(self) -> None:
        self.click(self.page.get_by_role("button", name="Logga ut"), check=False)


# --- tables ----------------------------------------------------------------------------------
CELLS_OUT_OF_VIEW = """() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const table of document.querySelectorAll("main table")) {
        const name = table.id ? "#" + table.id
            : (table.caption ? table.caption.textContent.trim().slice(0, 40) : "table");
        for (const cell of table.querySelectorAll("th, td")) {
            const head = cell.closest("thead");
            // A stacked table's headings are visually hidden (1 px, clipped): not shown.
            if (head && head.getBoundingClientRect().width <= 1) { continue; }
            const box = cell.getBoundingClientRect();
            if (box.width === 0) { continue; }
            // A box around the table that scrolls or clips hides what sticks out of it.
            let clipped = false;
            for (let up = table.parentElement; up && up !== document.body; up = up.parentElement) {
                if (getComputedStyle(up).overflowX !== "visible"
                    && box.right > up.getBoundingClientRect().right + 1) { clipped = true; break; }
            }
            // Text that does not wrap (white-space: nowrap) runs out of its cell unseen.
            const spills = cell.scrollWidth > cell.clientWidth + 1;
            if (clipped || spills || box.right > width + 1 || box.left < -1) {
                const text = (cell.textContent || "").trim().replace(/\\s+/g, " ");
                out.push(name + ": " + text.slice(0, 40));
                break;
            }
        }
    }
    return out;
}"""


def table_cells_out_of_view(page: Page) -> list[str]:
    """Per table on the page, the first cell that lies outside the window's width or is
    scrolled out of a box around the table; [] when every cell can be seen without swiping."""
    return page.evaluate(CELLS_OUT_OF_VIEW)


WORDS_BROKEN_INSIDE = """(selector) => {
    // Per text node in the cells, each word (split at spaces and after hyphens) must lie on one
    // line: a Range over it with client rects on two lines means the word broke inside. Long
    // unbroken tokens (e-mail addresses, URLs, hashes) may break.
    const out = [];
    for (const cell of document.querySelectorAll(selector)) {
        if (cell.getBoundingClientRect().width === 0) { continue; }
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const re = /[^\\s\\u00a0-]+-?/g;
            for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
                const word = m[0];
                if (word.length > 20 || /[@\\/.:_]\\S/.test(word)) { continue; }
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + word.length);
                const tops = new Set([...range.getClientRects()]
                    .filter(r => r.width > 0).map(r => Math.round(r.top)));
                if (tops.size > 1) {
                    out.push(word + " in " + cell.textContent.trim().slice(0, 40));
                }
            }
        }
    }
    return out.slice(0, 5);
}"""

STACKED_CELLS = ":is(table.table-stack, table.table-stack-lg) > :is(tbody, tfoot) > tr > *"


def words_broken_inside(page: Page, selector: str = STACKED_CELLS) -> list[str]:
    """Words in the cells matched by `selector` that wrap inside a word rather than at a space
    or hyphen ("Redovi|sa", "J|a"); [] when none does."""
    return page.evaluate(WORDS_BROKEN_INSIDE, selector)


# --- data helpers ----------------------------------------------------------------------------
def totp_for(user) -> str:  # noqa: ANN001
    """Give `user` a real TOTP authenticator with a known secret; returns the secret."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal import auth as totp_auth

    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret = totp_auth.generate_totp_secret()
    totp_auth.TOTP.activate(user, secret)
    return secret


def fresh_code(user, secret: str) -> str:  # noqa: ANN001
    """The code an authenticator app shows now for `user`. allauth refuses a code used twice
    within a period; when a test logs the same person in twice, that guard is reset first."""
    from allauth.mfa.totp.internal import auth as totp_auth
    from django.core.cache import cache

    # No tolerance for the previous period (allauth's default): keep clear of its end, so the
    # code is still current when the server checks it.
    if 30 - time.time() % 30 < 5:
        time.sleep(30 - time.time() % 30 + 0.1)
    counter = int(time.time()) // 30
    code = totp_auth.format_hotp_value(totp_auth.hotp_value(secret, counter))
    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
    return code


def tiny_pdf(text: str = "Fullmakt") -> bytes:
    """A small valid one-page PDF (pypdf can read it)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
