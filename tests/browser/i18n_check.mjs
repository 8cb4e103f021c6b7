// The web application's labels in Korean (test_i18n.sh): every label of
// web/i18n.js has a Korean translation that is not the English one (but
// for codes and names on ALLOW_SAME); Korean values hold no English words
// but the codes and commands on LATIN_OK; every key the pages ask for
// with t('...') exists; every record field has a Korean name and help
// text, every record type a Korean description.  Prints TAP lines.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';

const root = new URL('../..', import.meta.url).pathname;
const sandbox = { window: {} };
vm.runInNewContext(readFileSync(join(root, 'web/i18n.js'), 'utf8'), sandbox);
const I = sandbox.window.ATTEST_I18N;
const en = I.text.en, ko = I.text.ko;
I.helpKo = I.helpKo || {};
I.typeAboutKo = I.typeAboutKo || {};

// Keys whose Korean may equal the English: codes and a language's own name.
const ALLOW_SAME = new Set(['col.id', 'ev.sha']);
// Latin words a Korean label may hold: formats, codes, commands, input words.
const LATIN_OK = new Set(['English', 'SHA', 'CSV', 'XML', 'JSON', 'Lines', 'KML', 'KMZ', 'GeoJSON', 'API', 'ID', 'id',
    'URL', 'IMO', 'SWIFT', 'BIC', 'WGS', 'log', 'attest', 'lists', 'import', 'user', 'passwd', 'unknown',
    'un', 'ofac', 'KPe', 'OFAC', 'ent_num', 'name', 'description', 'dismissed', 'withdrawn', 'Polygon',
    'MultiPolygon', 'MultiLineString', 'interview', 'document', 'count', 'YYYY', 'MM', 'DD', 'HH', 'SS', 'm', 'ILO', 'HTML', 'ISO',
    'FtM', 'FollowTheMoney', 'OpenSanctions',
    // OFAC's list: its name, its files and the archives that carry them
    'SDN', 'sdn', 'csv', 'alt', 'add', 'sdn_comments', 'tar', 'zip',
    // a file of name pairs: its format and the type words it holds
    'tsv', 'person', 'company', 'vessel', 'aircraft']);

let n = 0, failed = 0;
const results = [];
function check(name, problems) {
    n++;
    if (problems.length) {
        failed++;
        results.push(`not ok - ${name}`);
        problems.slice(0, 30).forEach((p) => results.push(`# ${p}`));
    } else {
        results.push(`ok - ${name}`);
    }
}

check('every label has a Korean translation', Object.keys(en).filter((k) => !(k in ko)));
check('no Korean label is only in Korean', Object.keys(ko).filter((k) => !(k in en)));
check('no Korean label is the English one (but codes)',
      Object.keys(en).filter((k) => ko[k] === en[k] && !ALLOW_SAME.has(k)).map((k) => `${k}: ${en[k]}`));
const latin = (s) => (String(s).replace(/\{[a-z]+\}/g, '').match(/[A-Za-z_]+/g) || []).filter((w) => !LATIN_OK.has(w));
check('Korean labels hold no English words',
      Object.keys(ko).filter((k) => latin(ko[k]).length).map((k) => `${k}: ${latin(ko[k]).join(' ')}`));

// Every t('key') in the pages, but keys built at run time (prefix + code).
const used = new Set();
for (const f of readdirSync(join(root, 'web')).filter((x) => x.endsWith('.js') && x !== 'i18n.js')) {
    for (const m of readFileSync(join(root, 'web', f), 'utf8').matchAll(/\bt\('([a-zA-Z0-9_.]*[a-zA-Z0-9_])'/g)) used.add(m[1]);
}
check('every label the pages ask for exists', [...used].filter((k) => !(k in en)));

// Record types and fields from the model (src/core/model.c).
const model = readFileSync(join(root, 'src/core/model.c'), 'utf8');
const fields = [];
for (const m of model.matchAll(/static const struct field_spec (\w+)_fields\[\] = \{([\s\S]*?)\n\};/g)) {
    for (const f of m[2].matchAll(/\{ "(\w+)", FIELD_/g)) fields.push([m[1], f[1]]);
}
const types = [...model.matchAll(/\{ "(\w+)", "[a-z]{2}", "/g)].map((m) => m[1]);
check('the model was read', fields.length > 50 && types.length > 10 ? [] : [`${fields.length} fields, ${types.length} types`]);
check('every record field has a Korean name',
      [...new Set(fields.map(([, f]) => f))].filter((f) => !I.fieldKo[f]));
check('every record field has Korean help text',
      fields.filter(([t, f]) => !I.helpKo[`${t}.${f}`]).map(([t, f]) => `${t}.${f}`));
check('every record type has a Korean name and description',
      types.filter((t) => !ko['type.' + t] || !I.typeAboutKo[t]));
check('Korean help texts hold no English words',
      Object.keys(I.helpKo).filter((k) => latin(I.helpKo[k]).length).map((k) => `${k}: ${latin(I.helpKo[k]).join(' ')}`));
// Every term of the controlled vocabularies (src/core/vocab.c) has a Korean
// label in Hangul, not the English one.
const vocab = readFileSync(join(root, 'src/core/vocab.c'), 'utf8');
const terms = [];
for (const m of vocab.matchAll(/static const struct vocab_term (\w+)\[\] = \{([\s\S]*?)\n\};/g)) {
    for (const t of m[2].matchAll(/\{ "([^"]+)", "([^"]*)", "([^"]*)"/g)) terms.push([m[1], t[1], t[2], t[3]]);
}
check('every vocabulary term has a Korean label',
      (terms.length > 50 ? [] : [`only ${terms.length} terms read`]).concat(terms
          .filter(([, , label, ko]) => !/[가-힣]/.test(ko) || ko === label).map(([v, c, , ko]) => `${v}.${c}: ${ko}`)));
const vocabAwkward = { sale: '매매', starvation: '기아', KRW: '원' };
check('the agreed vocabulary terms (인신매매, 고의적 기아, 북한 원 beside 한국 원)',
      terms.filter(([, c, , ko]) => vocabAwkward[c] === ko).map(([v, c, , ko]) => `${v}.${c}: ${ko}`));

// Terms of Korean human-rights documentation, not the awkward ones.
const awkward = [['위치 지정', '위치 표시'], ['판 이력', '수정 이력']];
check('the agreed Korean terms', Object.keys(ko).flatMap((k) => awkward
      .filter(([bad]) => ko[k].includes(bad)).map(([bad, good]) => `${k}: ${bad} (say ${good})`))
      .concat(Object.keys(ko).filter((k) => /(^|[^가-힣])판( |$|')/.test(ko[k])).map((k) => `${k}: 판 (say 버전)`)));

console.log(`1..${n}`);
console.log(results.join('\n'));
process.exit(failed ? 1 : 0);
