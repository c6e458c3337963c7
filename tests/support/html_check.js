// Opens a leakless HTML report in real headless Chromium (playwright-core, Debian's chromium) and
// prints what the Rust test asserts on, as JSON: console errors, page errors, any request that is
// not file:/data:, the time until the findings table has rendered, the table's counts before and
// after filtering and sorting, axe-core violations, and screenshots (light and dark).
//
// usage: node html_check.js REPORT.html OUT_DIR QUERY
"use strict";
const path = require("path");
const fs = require("fs");
const modules = process.env.LEAKLESS_NODE_MODULES;
const { chromium } = require(path.join(modules, "playwright-core"));
const axeSource = fs.readFileSync(path.join(modules, "axe-core", "axe.min.js"), "utf8");

const [file, outDir, query] = process.argv.slice(2);
const url = "file://" + path.resolve(file);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.LEAKLESS_CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  const out = { console: [], pageErrors: [], requests: [] };
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") out.console.push(m.type() + ": " + m.text()); });
    page.on("pageerror", (e) => out.pageErrors.push(String(e)));
    page.on("request", (r) => { if (!/^(file|data):/.test(r.url())) out.requests.push(r.url()); });
    const t0 = Date.now();
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(() => document.querySelector("#count") && document.querySelector("#count").textContent.length > 0);
    out.openMs = Date.now() - t0;
    // From navigation start until the first frame after the table rendered has been painted.
    out.paintedMs = await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => setTimeout(() => ok(Math.round(performance.now())), 0))));
    out.title = await page.title();
    out.rowsShown = await page.locator("#findings tbody tr").count();
    out.countText = await page.locator("#count").textContent();
    out.headers = await page.locator("#findings thead th").allTextContents();
    out.banner = await page.locator(".banner").count();
    out.tiles = await page.locator(".tile").allTextContents();
    out.bodyText = await page.locator("body").innerText();
    await page.screenshot({ path: path.join(outDir, "light.png"), fullPage: true });
    // A long table: scrolling to its end renders the next rows, and so does "Show more".
    if (await page.locator("#more").isVisible()) {
      await page.locator("#scroll").evaluate((el) => { el.scrollTop = el.scrollHeight; });
      await page.waitForFunction((n) => document.querySelectorAll("#findings tbody tr").length > n, out.rowsShown, { timeout: 5000 }).catch(() => {});
      out.rowsAfterScroll = await page.locator("#findings tbody tr").count();
      await page.click("#more");
      out.rowsAfterMore = await page.locator("#findings tbody tr").count();
    }
    // Filter: type the query; the table must narrow.
    await page.fill("#q", query);
    out.filteredRows = await page.locator("#findings tbody tr").count();
    out.filteredText = await page.locator("#findings tbody").innerText();
    await page.screenshot({ path: path.join(outDir, "filtered.png"), fullPage: true });
    // A query that matches nothing.
    await page.fill("#q", "zzz-no-such-thing-zzz");
    out.noneRows = await page.locator("#findings tbody tr").count();
    await page.fill("#q", "");
    // Sort by Location twice (descending): the first row changes to the last.
    const firstBefore = await page.locator("#findings tbody tr").first().innerText();
    const loc = page.locator("#findings thead th button", { hasText: "Location" });
    await loc.click();
    const firstAsc = await page.locator("#findings tbody tr").first().innerText();
    await loc.click();
    const firstDesc = await page.locator("#findings tbody tr").first().innerText();
    out.sortChanged = firstAsc !== firstDesc;
    out.ariaSort = await page.locator("#findings thead th[aria-sort]").getAttribute("aria-sort");
    out.firstBefore = firstBefore;
    // The validation filter, when the report was validated: rows and text per choice.
    if (await page.locator("#f-val").count()) {
      out.validation = {};
      for (const v of ["live", "dead", "undecided", "unchecked"]) {
        await page.selectOption("#f-val", v);
        out.validation[v] = {
          rows: await page.locator("#findings tbody tr").count(),
          text: await page.locator("#findings tbody").innerText(),
          cells: await page.locator("#findings tbody td[class^=val-]").evaluateAll((tds) => tds.map((td) => td.className + " " + td.title)),
        };
        if (v === "live") await page.screenshot({ path: path.join(outDir, "validated-live.png"), fullPage: true });
      }
      await page.selectOption("#f-val", "");
    }
    // Dark theme.
    await page.emulateMedia({ colorScheme: "dark" });
    out.darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.screenshot({ path: path.join(outDir, "dark.png"), fullPage: false });
    await page.emulateMedia({ colorScheme: "light" });
    out.lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await context.close();
    // axe-core: its script is injected, which the report's CSP forbids, so this context bypasses
    // CSP (the first one enforced it).
    const axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 1400, height: 1000 } });
    const axePage = await axeContext.newPage();
    await axePage.goto(url, { waitUntil: "load" });
    await axePage.addScriptTag({ content: axeSource });
    const axe = await axePage.evaluate(async () => {
      const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help, target: v.nodes[0] && v.nodes[0].target }));
    });
    out.axe = axe;
    await axeContext.close();
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(3); });
