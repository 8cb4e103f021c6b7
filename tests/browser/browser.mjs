// browser.mjs: what the browser suites (ui.test.mjs, travel.test.mjs)
// share: Debian's chromium launched by playwright-core with the profile and
// downloads folder their shell script gives, the page's script errors,
// console errors and dialogs gathered in `problems` (each naming the step
// it came in), and the steps themselves: `step` prints "ok - browser/NAME"
// or "not ok - browser/NAME" and saves a screenshot of a failing step in
// $ATTEST_SHOTS; `check` fails a step; `goto` loads a view afresh.  The
// counts `n` and `failed`, `context` and `page` are live: read them after
// `launch` and after the steps.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const base = process.env.ATTEST_URL;
export const shots = process.env.ATTEST_SHOTS;
export const downloads = process.env.ATTEST_DOWNLOADS;
export const problems = [];
export let context = null, page = null;
export let failed = 0, n = 0;
let current = '', shotPrefix = '', loads = 0;

// launch HEIGHT PREFIX: chromium at 1366 x HEIGHT; a failing step's
// screenshot is named PREFIX, the step's number and its name.
export async function launch(height, prefix = '') {
    shotPrefix = prefix;
    mkdirSync(downloads, { recursive: true });
    context = await chromium.launchPersistentContext(process.env.ATTEST_PROFILE, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        viewport: { width: 1366, height },
        acceptDownloads: true,
        downloadsPath: downloads,
    });
    context.setDefaultTimeout(8000);
    page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error in "${current}": ${e.message} at ${String(e.stack).split('\n').slice(1, 4).join(' / ')}`));
    page.on('console', (m) => {
        if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push('console: ' + m.text());
    });
    page.on('dialog', (d) => { problems.push('dialog opened: ' + d.message()); d.dismiss(); });
}

// step NAME FN: one test.  FN may return a reason why the step cannot run
// here: the step is then reported skipped, with the reason.
export async function step(name, fn) {
    n++;
    current = name;
    try {
        const skip = await fn();
        console.log(skip ? `ok - browser/${name} # SKIP ${skip}` : `ok - browser/${name}`);
    } catch (err) {
        failed++;
        const file = join(shots, `${shotPrefix}${String(n).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.log(`not ok - browser/${name}: ${String(err.message).split('\n')[0]}`);
        console.log(`# screenshot: ${file}`);
    }
}

export function check(cond, what) {
    if (!cond) throw new Error(what);
}

// A full load each time, so that no step sees the page of the one before.
export async function goto(hash) {
    await page.goto(`${base}/?load=${++loads}#/${hash}`);
    await page.waitForSelector('main h1');
}
