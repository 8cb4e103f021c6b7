// The map page in Debian's chromium, by playwright-core: run by
// bench/map.sh against its server of FICTIONAL sites and pinpoints.
// Prints one line of key=value figures (milliseconds, medians of RUNS runs):
//   render:  from the start of loading the map's address to the first frame
//            drawn with the records' bubbles in view (the whole country is
//            too many to send: the server counts it in cells);
//   pan:     from the end of a drag of 200 pixels to the next frame drawn
//            (what the hand feels: the map follows the pointer);
//   refresh: from the end of the drag to the frame after the new view's
//            reply (the layer asked again, after the page's 250 ms pause
//            that lets a drag finish before asking).
import { loggedInPage } from './ui_page.mjs';

const base = process.env.ATTEST_URL;
const runs = Number(process.env.RUNS || 7);

const { browser, page } = await loggedInPage();

const nextFrame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1);
const render = [], pan = [], refresh = [];
for (let i = 0; i < runs; i++) {
    await page.goto('about:blank');
    await page.goto(base + '/#/map?lat=40.3&lon=127.3&z=7');
    await page.waitForFunction(() => document.querySelectorAll('#map .cl').length > 0,
                               null, { timeout: 30000, polling: 'raf' });
    render.push(await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now())))));
    const box = await page.locator('#map').boundingBox();
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 200, y, { steps: 10 });
    const reply = page.waitForResponse((r) => r.url().includes('/api/v1/map'), { timeout: 30000 });
    const t0 = Date.now();
    await page.mouse.up();
    await nextFrame();
    pan.push(Date.now() - t0);
    await reply;
    await nextFrame();
    refresh.push(Date.now() - t0);
}
console.log(`render_p50_ms=${median(render)} pan_p50_ms=${median(pan)} refresh_p50_ms=${median(refresh)} runs=${runs}`);
await browser.close();
