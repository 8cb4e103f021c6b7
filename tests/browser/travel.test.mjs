// Travel in the browser (test_travel.sh): a laptop's own server, whose
// admin prepares the laptop for travel on the Peers and sync page and
// restores it from the centre's server.  Its archive is emptied, so it is
// not the archive of ui.test.mjs.  Every step is an `await step(...)` line
// at the top level (test_travel.sh counts them); step, check and goto are
// browser.mjs's, as ui.test.mjs's.  FICTIONAL data only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, downloads, problems, context, page, failed, launch, step, check, goto } from './browser.mjs';

const TOKEN = process.env.ATTEST_CENTRE_TOKEN;
const IDENTITY = process.env.ATTEST_IDENTITY;

await launch(900, 'travel-');

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

await step('travel: with the centre\'s token the pack is delivered by a job, followed to its end; the restore only pulls', async () => {
    await goto('peers');
    await page.waitForSelector('#travel #tr-confirm');
    await page.fill('#tr-token', TOKEN);
    await page.fill('#tr-confirm', 'centre');
    await page.click('#tr-go');
    await page.waitForSelector('#tr-progress [data-kind="delivered"]', { timeout: 60000 });
    check(await page.locator('#tr-download').count() === 0, 'no pack to download: it is at the centre');
    const job = await page.evaluate(() => fetch('/api/v1/sync/status').then((r) => r.json())
        .then((s) => s.peers.filter((p) => p.name === 'centre')[0].job));
    check(job && job.kind === 'deliver' && job.state === 'done', 'the delivery was a job of the server: '
          + JSON.stringify(job && { kind: job.kind, state: job.state }));
    check(await status('/api/v1/records/dc-trv000000001') === 404, 'the laptop is empty');
    await page.waitForSelector('#tr-restore:not([disabled])');
    await page.click('#tr-restore');
    await page.waitForSelector('#tr-progress p.result[data-kind="restore"]', { timeout: 60000 });
    check(await status('/api/v1/records/dc-trv000000001') === 200, 'the record is back');
    check(problems.length === 0, problems.join('; '));
});

await context.close();
process.exit(failed ? 1 : 0);
