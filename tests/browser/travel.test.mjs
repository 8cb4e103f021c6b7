// Travel in the browser (test_travel.sh): a laptop's own server, whose
// admin prepares the laptop for travel on the Peers and sync page and
// restores it from the centre's server.  Its archive is emptied, so it is
// not the archive of ui.test.mjs.  Every step is an `await step(...)` line
// at the top level (test_travel.sh counts them); a failing step saves a
// screenshot in $ATTEST_SHOTS.  FICTIONAL data only.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const base = process.env.ATTEST_URL;
const shots = process.env.ATTEST_SHOTS;
const downloads = process.env.ATTEST_DOWNLOADS;
const TOKEN = process.env.ATTEST_CENTRE_TOKEN;
const IDENTITY = process.env.ATTEST_IDENTITY;

mkdirSync(downloads, { recursive: true });
const context = await chromium.launchPersistentContext(process.env.ATTEST_PROFILE, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
    downloadsPath: downloads,
});
context.setDefaultTimeout(8000);
const page = context.pages()[0] || await context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push('console: ' + m.text());
});
page.on('dialog', (d) => { problems.push('dialog opened: ' + d.message()); d.dismiss(); });

let failed = 0, n = 0;
async function step(name, fn) {
    n++;
    try {
        await fn();
        console.log(`ok - browser/${name}`);
    } catch (err) {
        failed++;
        const file = join(shots, `travel-${String(n).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.log(`not ok - browser/${name}: ${String(err.message).split('\n')[0]}`);
        console.log(`# screenshot: ${file}`);
    }
}
function check(cond, what) {
    if (!cond) throw new Error(what);
}
let loads = 0;
async function goto(hash) {
    await page.goto(`${base}/?load=${++loads}#/${hash}`);
    await page.waitForSelector('main h1');
}
async function status(path) {
    return page.evaluate((p) => fetch(p, { credentials: 'same-origin' }).then((r) => r.status), path);
}

await step('travel: log in as the laptop\'s admin; the section explains and names the centre', async () => {
    await page.goto(base + '/');
    await page.fill('#login-user', 'admin');
    await page.fill('#login-pass', 'FICTIONAL test passphrase');
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('#who .user');
    await goto('peers');
    await page.waitForSelector('#travel #tr-centre');
    check((await page.textContent('#travel h2')) === 'Prepare for travel', 'the section title');
    const options = await page.locator('#tr-centre option').allTextContents();
    check(options.join() === 'centre', 'only the team peer is offered as the centre: ' + options);
    check((await page.locator('#travel .travel-steps li').count()) === 4, 'what will happen, in four points');
    check((await page.textContent('#tr-confirm-hint')).includes('centre'), 'it says what to type');
    check(await status('/api/v1/records/dc-trv000000001') === 200, 'the laptop holds its record');
});

await step('travel: nothing happens until the centre\'s name is typed; then the pack is made and kept', async () => {
    check(await page.isDisabled('#tr-go'), 'the button waits for the confirmation');
    await page.fill('#tr-confirm', 'Centre');
    check(await page.isDisabled('#tr-go'), 'a name that is not the centre\'s does not confirm');
    await page.fill('#tr-confirm', 'centre');
    check(!(await page.isDisabled('#tr-go')), 'the typed name confirms');
    await page.click('#tr-go');
    await page.waitForSelector('#tr-progress p.result[data-kind="travel"]', { timeout: 60000 });
    const result = await page.textContent('#tr-progress p.result');
    check(/^Removed [1-9][0-9]* record versions/.test(result), 'what was removed: ' + result);
    check(await status('/api/v1/records/dc-trv000000001') === 404, 'the laptop no longer holds its record');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#tr-download')]);
    const path = join(downloads, dl.suggestedFilename());
    await dl.saveAs(path);
    const bytes = readFileSync(path);
    check(dl.suggestedFilename() === 'attest-travel-centre.pack', 'the pack\'s name: ' + dl.suggestedFilename());
    check(bytes.length > 0 && !bytes.includes(IDENTITY), 'a pack with nothing readable in it');
    await page.waitForFunction(() => /travel pack/.test(document.querySelector(
        '#peers-table tr[data-peer="centre"] [data-field="waiting"]')?.textContent || ''));
});

await step('travel: in Korean, the restore from the centre delivers the pack and brings everything back', async () => {
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'ko');
    await goto('peers');
    await page.waitForSelector('#travel #tr-restore');
    check((await page.textContent('#travel h2')) === '이동 준비', 'the Korean title');
    check((await page.textContent('#tr-waits')).includes('이동 꾸러미'), 'the waiting pack, in Korean');
    await page.click('#tr-restore');
    await page.waitForFunction(() => document.activeElement.id === 'tr-token');
    await page.fill('#tr-token', TOKEN);
    await page.click('#tr-restore');
    await page.waitForSelector('#tr-progress p.result[data-kind="restore"]', { timeout: 60000 });
    const result = await page.textContent('#tr-progress p.result');
    check(/^복원됨: 버전 [1-9]/.test(result), 'what came back, in Korean: ' + result);
    check(!(await page.content()).includes(TOKEN), 'the token is not shown back');
    check(await status('/api/v1/records/dc-trv000000001') === 200, 'the laptop holds its record again');
    await page.waitForFunction(() => !document.getElementById('tr-waits')?.textContent);
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
});

await step('travel: with the centre\'s token the pack is delivered at once; the restore only pulls', async () => {
    await goto('peers');
    await page.waitForSelector('#travel #tr-confirm');
    await page.fill('#tr-token', TOKEN);
    await page.fill('#tr-confirm', 'centre');
    await page.click('#tr-go');
    await page.waitForSelector('#tr-progress [data-kind="delivered"]', { timeout: 60000 });
    check(await page.locator('#tr-download').count() === 0, 'no pack to download: it is at the centre');
    check(await status('/api/v1/records/dc-trv000000001') === 404, 'the laptop is empty');
    await page.waitForSelector('#tr-restore:not([disabled])');
    await page.click('#tr-restore');
    await page.waitForSelector('#tr-progress p.result[data-kind="restore"]', { timeout: 60000 });
    check(await status('/api/v1/records/dc-trv000000001') === 200, 'the record is back');
    check(problems.length === 0, problems.join('; '));
});

await context.close();
process.exit(failed ? 1 : 0);
