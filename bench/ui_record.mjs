// The record page of a record with many relations, timed in Debian's
// chromium by playwright-core: run by bench/ui.sh against a server of
// FICTIONAL records.  Prints one line of key=value figures (milliseconds,
// medians of RUNS runs).
//
// "Rendered" means: the record's "referred to by" list holds all COUNT
// referrers, each named by its title, and a frame has been drawn after
// ("named"); "listed" is when the COUNT items are there, named or not.
// Two clocks:
//   view: from the in-app navigation to the record (its address set while
//         the application is loaded, as when a link is followed) to
//         rendered.  This is the page's own cost, the target's measure.
//   load: from the start of a full page load of the record's address
//         (the application booting: scripts, the user, types and
//         vocabularies) to rendered.
import { loggedInPage } from './ui_page.mjs';

const base = process.env.ATTEST_URL;
const id = process.env.RECORD;
const count = Number(process.env.COUNT);
const runs = Number(process.env.RUNS || 15);

const { browser, page } = await loggedInPage();

// Waits in the page until the list is complete ("listed") and until each
// link is named by its title rather than its bare id ("named"), each
// followed by a frame; returns performance.now() at both (named null when
// it does not come within 5 s of listed, as when titles are not given).
const rendered = (want) => new Promise((resolve, reject) => {
    const give_up = setTimeout(() => reject(new Error('not listed after 20 s: '
        + document.querySelectorAll('#referred-by li').length + ' referrers shown at ' + location.hash)), 20000);
    let listed = null;
    const named = (items) => {
        for (const li of items) {
            const a = li.querySelector('a');
            if (!a || a.textContent === decodeURIComponent(a.getAttribute('href').replace('#/record/', ''))) return false;
        }
        return true;
    };
    const tick = () => {
        const items = document.querySelectorAll('#referred-by li');
        if (listed === null && items.length >= want) {
            clearTimeout(give_up);
            return requestAnimationFrame(() => { listed = performance.now(); tick(); });
        }
        if (listed !== null && named(items))
            return requestAnimationFrame(() => resolve({ listed, named: performance.now() }));
        if (listed !== null && performance.now() - listed > 5000) return resolve({ listed, named: null });
        requestAnimationFrame(tick);
    };
    tick();
});

const median = (xs) => {
    if (xs.some((x) => x === null)) return 'never';
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)].toFixed(1);
};
const view = { listed: [], named: [] }, load = { listed: [], named: [] };
const keep = (into, t, t0) => {
    into.listed.push(t.listed - t0);
    into.named.push(t.named === null ? null : t.named - t0);
};
for (let i = 0; i < runs; i++) {
    // A full load of the record's address.
    await page.goto(`${base}/?run=${i}#/record/${id}`, { waitUntil: 'commit' });
    keep(load, await page.evaluate(rendered, count), 0);
    // In-app: to the records list, then back to the record.
    await page.evaluate(() => { location.hash = '#/records'; });
    await page.waitForSelector('main table, main h1');
    await page.waitForTimeout(100);
    const [t0, t] = await page.evaluate(async ([rid, want, fn]) => {
        const wait = new Function('return (' + fn + ')')();
        const start = performance.now();
        location.hash = '#/record/' + rid;
        return [start, await wait(want)];
    }, [id, count, rendered.toString()]);
    keep(view, t, t0);
}
const items = await page.locator('#referred-by li').count();
console.log(`referrers=${items} runs=${runs} view_listed_p50_ms=${median(view.listed)} view_named_p50_ms=${median(view.named)} `
            + `load_listed_p50_ms=${median(load.listed)} load_named_p50_ms=${median(load.named)}`);
await browser.close();
