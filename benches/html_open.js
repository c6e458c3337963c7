// Bench: opens HTML reports N times each, alternating, in headless Chromium, and prints per file
// the median time from navigation start until the first frame after the findings table rendered
// was painted (requestAnimationFrame, then a task), and until domInteractive. For before/after
// comparisons of the report's script on a loaded machine (alternating evens out the load).
//
// usage: LEAKLESS_CHROMIUM=$(command -v chromium) \
//   LEAKLESS_NODE_MODULES=~/.cache/leakless-test-tools/npm/node_modules \
//   node benches/html_open.js N before.html after.html
const path = require("path");
const { chromium } = require(path.join(process.env.LEAKLESS_NODE_MODULES, "playwright-core"));
const files = process.argv.slice(3), n = +process.argv[2];
(async () => {
  const res = {};
  for (let i = 0; i < n; i++) for (const f of files) {
    const browser = await chromium.launch({ executablePath: process.env.LEAKLESS_CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    const t0 = Date.now();
    await page.goto("file://" + path.resolve(f), { waitUntil: "load" });
    const r = await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => setTimeout(() => ok({
      painted: Math.round(performance.now()), di: Math.round(performance.getEntriesByType("navigation")[0].domInteractive) }), 0))));
    r.wall = Date.now() - t0;
    (res[f] = res[f] || []).push(r);
    await browser.close();
  }
  const med = (a) => { a = a.slice().sort((x, y) => x - y); return a[a.length >> 1]; };
  for (const f of files) {
    const a = res[f];
    console.log(path.basename(f), "painted median", med(a.map((r) => r.painted)), "ms; domInteractive median", med(a.map((r) => r.di)), "ms; all painted:", a.map((r) => r.painted).join(" "));
  }
})();
