// What the browser benchmarks share: Debian's chromium by playwright-core,
// a page of the size the tests use, logged in as ATTEST_USER_NAME with
// ATTEST_USER_PASS at ATTEST_URL.
import { chromium } from 'playwright-core';

export async function loggedInPage() {
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    const page = await context.newPage();
    const login = await page.request.post(process.env.ATTEST_URL + '/api/v1/login', {
        data: { username: process.env.ATTEST_USER_NAME, passphrase: process.env.ATTEST_USER_PASS } });
    if (!login.ok()) throw new Error('login failed: ' + login.status());
    return { browser, page };
}
