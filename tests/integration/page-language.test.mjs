// The pages' language (issue 13): every user-visible string comes from one
// catalogue (web/texts-*.js through web/i18n.js) with a Thai and an English
// form, and a page shows one language at a time.
//
// (a) Static, no browser, no relay: every catalogue entry has a non-empty
//     Thai and English form of the same kind (a function: the same number
//     of arguments); every element of a page's HTML with visible text (or a
//     title, placeholder, aria-label) names it in the catalogue
//     (data-text, data-text-title, ...), or is marked data-language-neutral
//     (text that reads the same in both, e.g. a province code); every key
//     named in the pages and in text('...') exists; every catalogue key is
//     used somewhere; no Thai in the pages' scripts outside texts-*.js
//     (comments aside); no words in CSS content; no native date input (it
//     shows the browser's format, not the page's).
// (b) In Chromium against a real relay with something to show (an office
//     publishing, figures with a confirmed warning, a briefing with a
//     recorded turn, another live): each page in Thai shows no English
//     word beyond ALLOWED_LATIN (codes, protocol and format names, units of
//     measure); switched to English it shows no Thai character, except in
//     what users typed (DATA: briefing titles); reloaded, it stays English.
//     Screenshots of each at 1366x768, 1920x1080 and 390x844.
// (c) Dates: a briefing dated 2026-12-07 reads 07/12/2569 in Thai and
//     07/12/2026 in English (the report, the review list); ISO stays in the
//     API and the CSV.
//
// PAGES is the one table of pages: each is its own static case and its own
// browser case. convertedElsewhere: true marks a page another branch
// converts (issue 13 items 1, 3 and 5): its cases are skipped, saying so,
// until that branch merges and the flag goes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { getBrowser, closeBrowser, collectDiagnostics, rememberToken } from '../../tools/lib/browser.mjs';

const WEB = path.join(REPO_ROOT, 'web');
const CHAIR = 'chair-token-for-page-language';
const TOKENS = { 'TH-12': 'nonthaburi-token-language', 'TH-50': 'chiang-mai-token-language' };
const CHAIR_KEY = 'briefing.chair-token';

/* What users typed, shown as typed in either language. */
const TITLE_RECORDED = 'ประชุมติดตามสถานการณ์ ทดสอบภาษา';
const TITLE_DATED = 'ประชุมวันที่เจ็ด';
const TITLE_LIVE = 'ประชุมที่กำลังดำเนินอยู่';
/* What the system names its cameras and microphones (Chromium's fake
 * ones here), shown as it names them in either language. */
const DEVICE_NAMES = ['fake_device_0', 'Fake Default Audio Input', 'Fake Audio Input 1', 'Fake Audio Input 2'];
const DATA = [TITLE_RECORDED, TITLE_DATED, TITLE_LIVE, ...DEVICE_NAMES];
const DATED = '2026-12-07';

/* Latin words a Thai page may show: codes, protocol and format names. */
const ALLOWED_LATIN = new Set(['TH', 'WHIP', 'WHEP', 'SDP', 'HTTP', 'HTTPS', 'CSV', 'MP4', 'WebM', 'WebRTC',
  'ICE', 'DTLS', 'VP8', 'VP9', 'H264', 'AV1', 'Opus']);
/* Container and codec names as the relay spells them (data: "webm"). */
const ALLOWED_ANY_CASE = new Set(['mp4', 'webm', 'vp8', 'vp9', 'h264', 'av1', 'opus']);
/* Removed before looking for words: province codes, units of measure
 * after a number. */
const NEUTRAL_PATTERNS = [/\bTH-\d{1,3}\b/g, /\d\s?(?:fps|kbps|Mbps|ms|dB)\b/g];
const THAI = /[\u0E00-\u0E7F]/;

/* ---------------------------------------------------------- the table */

/* html: the page; url(state): where the browser opens it; setup(page,
 * state): before it loads (tokens it remembers); ready(page, state): waits
 * until its dynamic text shows (clicks what it must). A page converted
 * elsewhere may name catalogueKeysAwaiting: keys it will use, which may
 * stay unused while it is flagged. */
const PAGES = [
  {
    html: 'province.html',
    entry: 'province.js',
    url: () => 'province.html?province=TH-12',
    setup: (page) => rememberToken(page, TOKENS['TH-12'], 'briefing.token.TH-12'),
    ready: async (page) => {
      await page.click('#publish');
      await pageWait(page, () => window.briefing?.state === 'live' &&
        !document.getElementById('briefing-panel').hidden, 'the office live, the briefing shown');
    },
  },
  {
    html: 'watch.html',
    entry: 'watch.js',
    url: () => 'watch.html?province=TH-50',
    setup: (page) => rememberToken(page, CHAIR, 'briefing.viewerToken'),
    ready: async (page) => {
      await page.click('#watch');
      await pageWait(page, () => window.briefingWatch?.state === 'watching', 'TH-50 watched');
    },
  },
  {
    html: 'ops.html',
    entry: 'ops.js',
    url: () => 'ops.html?autostart=1',
    setup: (page) => rememberToken(page, CHAIR, CHAIR_KEY),
    ready: (page) => pageWait(page, () => document.querySelectorAll('#roster tr').length >= 76 &&
      window.briefingOps?.briefing()?.state === 'live', 'the roster and the live briefing'),
  },
  {
    html: 'figures.html',
    entry: 'figures.js',
    url: () => 'figures.html',
    setup: (page) => rememberToken(page, CHAIR, CHAIR_KEY),
    ready: (page) => pageWait(page, () => {
      const s = window.briefingFigures?.state();
      return s && s.loaded && s.live && s.rows['TH-50'];
    }, 'the day\'s table with TH-50\'s figures'),
  },
  {
    html: 'review.html',
    entry: 'review.js',
    url: (state) => `review.html?id=${state.recorded}`,
    setup: (page) => rememberToken(page, CHAIR, CHAIR_KEY),
    ready: async (page, state) => {
      await pageWait(page, (id) => {
        const s = window.briefingReview?.state();
        return s && s.list.includes(id) && s.chapters.length === 1;
      }, 'the recorded briefing listed and chosen', state.recorded);
      await page.click('#chapters li button.chapter-go');
      await pageWait(page, () => window.briefingReview.state().figuresOffice === 'TH-50',
        'TH-50\'s chapter with its figures');
    },
  },
  {
    html: 'briefing-report.html',
    entry: 'briefing-report.js',
    url: (state) => `briefing-report.html?id=${state.recorded}`,
    setup: (page) => rememberToken(page, CHAIR, CHAIR_KEY),
    ready: (page) => pageWait(page, () => {
      const s = window.briefingReport?.state();
      return s && s.loaded && s.turns.length === 1 && s.figures === 1;
    }, 'the report with its turn and figures'),
  },
];

const skipOf = (spec) => (spec.convertedElsewhere
  ? `${spec.html} is converted on another branch (issue 13); drop convertedElsewhere at its merge` : false);

/* ------------------------------------------------------ the catalogue */

/* The whole catalogue: key -> {th, en, file}, every texts-*.js loaded as
 * the pages load them (they register into i18n.js). */
const i18n = await import(pathToFileURL(path.join(WEB, 'i18n.js')).href);
const catalogue = new Map();
for (const file of fs.readdirSync(WEB).filter((f) => /^texts-.*\.js$/.test(f)).sort()) {
  await import(pathToFileURL(path.join(WEB, file)).href);
  for (const [key, entry] of i18n.catalogueEntries()) {
    if (!catalogue.has(key)) catalogue.set(key, { ...entry, file });
  }
}

/* A form's text for the check: a string, or what a function gives for
 * sample arguments (numbers, or strings when numbers do not do). */
function sampleForm(form) {
  if (typeof form === 'string') return form;
  for (const sample of [(i) => i + 2, (i) => `x${i}`]) {
    try {
      const out = form(...Array.from({ length: form.length }, (_, i) => sample(i)));
      if (typeof out === 'string') return out;
    } catch {
      /* try the other kind */
    }
  }
  return null;
}

test('catalogue: every entry has a Thai and an English form of the same kind', () => {
  assert.ok(catalogue.size > 100, `only ${catalogue.size} entries: the texts files did not load?`);
  const bad = [];
  for (const [key, e] of catalogue) {
    for (const lang of ['th', 'en']) {
      const form = e[lang];
      if (typeof form !== 'string' && typeof form !== 'function') {
        bad.push(`${key} (${e.file}): no ${lang} form`);
        continue;
      }
      const out = sampleForm(form);
      if (!out || !out.trim()) bad.push(`${key} (${e.file}): the ${lang} form is empty`);
    }
    if (typeof e.th !== typeof e.en) {
      bad.push(`${key} (${e.file}): th is a ${typeof e.th}, en a ${typeof e.en}`);
    } else if (typeof e.th === 'function' && e.th.length !== e.en.length) {
      bad.push(`${key} (${e.file}): th takes ${e.th.length} arguments, en ${e.en.length}`);
    }
    // The language switch names the other language in that language.
    const en = sampleForm(e.en);
    if (key !== 'language.other' && en && THAI.test(en)) bad.push(`${key} (${e.file}): Thai in the en form`);
  }
  assert.deepEqual(bad, [], bad.join('\n'));
});

/* --------------------------------------------------- reading the files */

/* Code without comments (block comments, and line comments after code
 * unless the // follows a colon or quote, as in a URL). */
function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/* Static imports of a module, local ones as file names. */
function importsOf(src) {
  const code = stripComments(src);
  return [...code.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]\.\/([^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s*['"]\.\/([^'"]+)['"]/gm)].map((m) => m[1]);
}

/* A page's scripts: its entry and everything it imports. */
function moduleGraph(entry) {
  const seen = new Set();
  (function walk(name) {
    if (seen.has(name) || !fs.existsSync(path.join(WEB, name))) return;
    seen.add(name);
    for (const dep of importsOf(fs.readFileSync(path.join(WEB, name), 'utf8'))) walk(dep);
  }(entry));
  return seen;
}

function decodeEntities(s) {
  return s.replace(/&nbsp;/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function attributesOf(raw) {
  const attrs = new Map();
  for (const a of raw.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    attrs.set(a[1].toLowerCase(), decodeEntities(a[2] ?? a[3] ?? a[4] ?? ''));
  }
  return attrs;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source',
  'track', 'wbr']);

/* The elements of a page ({name, attrs, ancestors}) and its text runs
 * ({text, ancestors}), script and style contents left out. */
function parseHtml(html) {
  const elements = [];
  const texts = [];
  const open = [];
  const tagRe = /<!--[\s\S]*?-->|<!DOCTYPE[^>]*>|<\/([a-zA-Z][\w-]*)\s*>|<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
  let last = 0;
  let m;
  while ((m = tagRe.exec(html)) !== null) {
    const between = html.slice(last, m.index);
    if (between.trim()) texts.push({ text: decodeEntities(between).trim(), ancestors: [...open] });
    last = tagRe.lastIndex;
    if (m[1]) {
      const at = open.map((e) => e.name).lastIndexOf(m[1].toLowerCase());
      if (at >= 0) open.length = at;
    } else if (m[2]) {
      const el = { name: m[2].toLowerCase(), attrs: attributesOf(m[3]), ancestors: [...open] };
      elements.push(el);
      if (el.name === 'script' || el.name === 'style') {
        const end = html.toLowerCase().indexOf(`</${el.name}`, last);
        tagRe.lastIndex = last = end < 0 ? html.length : end;
      } else if (!VOID.has(el.name) && !m[4]) {
        open.push(el);
      }
    }
  }
  return { elements, texts };
}

const describe = (el) => `<${el.name}${el.attrs.has('id') ? `#${el.attrs.get('id')}` : ''}>`;
const LETTER = /\p{L}/u;
/* Attributes a user reads, and the attribute that names each one's key. */
const TEXT_ATTRIBUTES = [['title', 'data-text-title'], ['placeholder', 'data-text-placeholder'],
  ['aria-label', 'data-text-label'], ['alt', null], ['value', null]];
const KEY_ATTRIBUTES = ['data-text', 'data-text-title', 'data-text-placeholder', 'data-text-label'];

/* Literal keys given to text() or bothTexts() in a script. */
function textCalls(src) {
  return [...stripComments(src).matchAll(/\b(?:text|bothTexts)\(\s*(['"])([^'"]+)\1\s*[,)]/g)]
    .map((m) => m[2]);
}

/* ------------------------------------------------------- static, per page */

/* The scripts each page loads, for the file-level checks below. */
const graphs = new Map(PAGES.map((spec) => [spec.html, moduleGraph(spec.entry)]));

for (const spec of PAGES) {
  test(`${spec.html}: every text from the catalogue (static)`, { skip: skipOf(spec) }, () => {
    const html = fs.readFileSync(path.join(WEB, spec.html), 'utf8');
    const { elements, texts } = parseHtml(html);
    const bad = [];
    const marked = (chain) => chain.some((e) => e.attrs.has('data-text') ||
      e.attrs.has('data-language-neutral') || e.attrs.has('data-language-switch'));
    for (const t of texts) {
      if (LETTER.test(t.text) && !marked(t.ancestors)) {
        bad.push(`${describe(t.ancestors.at(-1) ?? { name: '?', attrs: new Map() })} has text ` +
          `"${t.text.slice(0, 60)}" without data-text (or data-language-neutral)`);
      }
    }
    for (const el of elements) {
      for (const [attr, keyAttr] of TEXT_ATTRIBUTES) {
        const v = el.attrs.get(attr);
        if (attr === 'value' && !(el.name === 'input' && /^(button|submit|reset)$/.test(el.attrs.get('type')))) {
          continue;
        }
        if (v && LETTER.test(v) && !(keyAttr && el.attrs.has(keyAttr)) &&
          !el.attrs.has('data-language-neutral')) {
          bad.push(`${describe(el)} ${attr}="${v}" without ${keyAttr ?? 'a key (use aria-label and data-text-label)'}`);
        }
      }
      for (const attr of KEY_ATTRIBUTES) {
        if (el.attrs.has(attr) && !catalogue.has(el.attrs.get(attr))) {
          bad.push(`${describe(el)} ${attr}="${el.attrs.get(attr)}": no such key in the catalogue`);
        }
      }
      if (el.name === 'input' && el.attrs.get('type') === 'date') {
        bad.push(`${describe(el)} type="date" shows the browser's date format, not the page's: ` +
          'a text input with date-field.js');
      }
    }
    assert.ok(elements.some((el) => el.attrs.has('data-language-switch')),
      `${spec.html}: no language switch ([data-language-switch])`);
    for (const link of elements.filter((el) => el.name === 'link' && el.attrs.get('rel') === 'stylesheet')) {
      const file = path.join(WEB, link.attrs.get('href'));
      const css = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '') : '';
      for (const c of css.matchAll(/content\s*:\s*(["'])(.*?)\1/g)) {
        if (LETTER.test(c[2])) {
          bad.push(`${link.attrs.get('href')}: content "${c[2]}" (CSS text has no language: draw it from the page)`);
        }
      }
    }
    const graph = graphs.get(spec.html);
    assert.ok(graph.has('page-language.js'), `${spec.entry} does not import page-language.js`);
    for (const file of graph) {
      const src = fs.readFileSync(path.join(WEB, file), 'utf8');
      if (!/^texts-/.test(file)) {
        stripComments(src).split('\n').forEach((line, i) => {
          if (THAI.test(line)) bad.push(`${file}:${i + 1}: Thai outside the catalogue: ${line.trim().slice(0, 80)}`);
        });
      }
      for (const key of textCalls(src)) {
        if (!catalogue.has(key)) bad.push(`${file}: text('${key}'): no such key in the catalogue`);
      }
    }
    assert.deepEqual(bad, [], `${spec.html}:\n  ${bad.join('\n  ')}`);
  });
}

/* ------------------------------------------------------ static, all files */

test('every script in web/ is one of a page in the table (so that none escapes the checks)', () => {
  const reached = new Set([...graphs.values()].flatMap((g) => [...g]));
  const pages = fs.readdirSync(WEB).filter((f) => f.endsWith('.html'));
  assert.deepEqual(pages.filter((p) => !graphs.has(p)), [], 'pages missing from PAGES');
  const orphans = fs.readdirSync(WEB).filter((f) => f.endsWith('.js') && !reached.has(f));
  assert.deepEqual(orphans, [], `scripts no page of PAGES loads: ${orphans.join(', ')}`);
});

/* Every key the pages name: literal strings in the scripts (a key may sit
 * in a map from the relay's words to keys), the key attributes of the
 * HTML; and prefixes a script completes in a call
 * (text('session.http-' + status)). */
function keysNamed() {
  const literals = new Set();
  const prefixes = new Set();
  for (const file of fs.readdirSync(WEB)) {
    const src = fs.readFileSync(path.join(WEB, file), 'utf8');
    if (file.endsWith('.js') && !/^texts-/.test(file)) {
      const code = stripComments(src);
      for (const m of code.matchAll(/(['"])([a-z][\w-]*(?:\.[\w-]+)+)\1/g)) literals.add(m[2]);
      for (const m of code.matchAll(/\b(?:text|bothTexts)\(\s*(['"])([^'"]+)\1\s*\+/g)) prefixes.add(m[2]);
      for (const m of code.matchAll(/\b(?:text|bothTexts)\(\s*`([^`$]+)\$\{/g)) prefixes.add(m[1]);
    } else if (file.endsWith('.html')) {
      for (const el of parseHtml(src).elements) {
        for (const attr of KEY_ATTRIBUTES) if (el.attrs.has(attr)) literals.add(el.attrs.get(attr));
      }
    }
  }
  return { literals, prefixes };
}

test('every catalogue key is used, and every key used exists', () => {
  const { literals, prefixes } = keysNamed();
  const awaiting = new Set(PAGES.filter((p) => p.convertedElsewhere)
    .flatMap((p) => p.catalogueKeysAwaiting ?? []));
  const unused = [...catalogue.keys()].filter((k) => !literals.has(k) && !awaiting.has(k) &&
    ![...prefixes].some((p) => k.startsWith(p)));
  assert.deepEqual(unused, [], `catalogue keys no page uses: ${unused.join(', ')}`);
  const missing = [];
  for (const file of fs.readdirSync(WEB).filter((f) => f.endsWith('.js'))) {
    for (const key of textCalls(fs.readFileSync(path.join(WEB, file), 'utf8'))) {
      if (!catalogue.has(key)) missing.push(`${file}: ${key}`);
    }
  }
  for (const prefix of prefixes) {
    if (![...catalogue.keys()].some((k) => k.startsWith(prefix))) missing.push(`no key begins '${prefix}'`);
  }
  assert.deepEqual(missing, [], `keys used but not in the catalogue:\n  ${missing.join('\n  ')}`);
});

test('dates: dd/mm/พ.ศ. in Thai, dd/mm/yyyy in English, typed either way', () => {
  const saved = i18n.currentLanguage();
  try {
    i18n.setCurrentLanguage('th');
    assert.equal(i18n.formatDate(DATED), '07/12/2569');
    i18n.setCurrentLanguage('en');
    assert.equal(i18n.formatDate(DATED), '07/12/2026');
    for (const typed of ['07/12/2569', '7/12/2026', '07-12-2569', '7.12.2026', '2026-12-07', ' 07/12/2569 ']) {
      assert.equal(i18n.parseDisplayDate(typed), DATED, typed);
    }
    for (const typed of ['31/02/2569', '12/31/2026', '2026-13-01', '07/12/69', '', 'วันนี้']) {
      assert.equal(i18n.parseDisplayDate(typed), null, typed);
    }
  } finally {
    i18n.setCurrentLanguage(saved);
  }
});

/* ------------------------------------------------------------ the relay */

const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'page-language-'));
let statePromise = null;
let cleanup = async () => {};

after(async () => {
  await closeBrowser();
  await cleanup();
  process.stderr.write(`page-language: screenshots in ${SHOTS}\n`);
});

const auth = (token) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });

async function chair(relay, method, p, body) {
  const r = await request(`${relay.url}${p}`, {
    method, headers: auth(CHAIR), body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status} ${r.text}`);
  return r.json;
}

const startOffices = (relay, dataDir) => startRelay({
  provinces: TOKENS,
  extraConfig: {
    'viewer chair': { role: 'chair', token: CHAIR },
    ...(dataDir ? { relay: { 'data-dir': dataDir } } : {}),
  },
});

async function live(relay, code) {
  await waitFor(async () => (await getJson(`${relay.url}api/v1/provinces/${code}`)).state === 'live',
    { timeoutMs: 60000, describe: `${code} live` });
}

/* The relay's day (Asia/Bangkok), as the figures want it. */
const bangkokToday = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

/* Something for every page to say: TH-50 publishing with its figures
 * (one confirmed warning); a briefing with TH-50's turn recorded, ended; a
 * briefing dated DATED (the relay dates a briefing by its start, so the
 * date is set in its database between two runs on the same data); a
 * briefing live with TH-50 speaking and TH-12 next. */
async function setUp() {
  const first = await startOffices();
  let pub = startPublisher(first, ['TH-50'], { videoFile: 'color-red.ivf' });
  let relay = first;
  cleanup = async () => {
    await pub.stop();
    await relay.stop();
  };
  await live(first, 'TH-50');
  const values = {
    job_seekers: 120, job_placements: 45, layoffs: 3, establishments_closed: 1,
    complaints_received: 7, complaints_resolved: 5, workplace_accidents: 0,
    unemployment_rate: 12, inflation: -0.4, overall_status: 'watch',
  };
  const sent = await request(`${first.url}api/v1/reports`, {
    method: 'POST', headers: auth(TOKENS['TH-50']),
    body: JSON.stringify({ type: 'figures', id: 'language-1', date: bangkokToday(), values, confirm_warnings: true }),
  });
  assert.equal(sent.status, 201, sent.text);

  const recorded = (await chair(first, 'POST', 'api/v1/briefings', {
    title: TITLE_RECORDED, turn_limit_s: 120, agenda: [{ office: 'TH-50' }],
  })).id;
  await chair(first, 'POST', `api/v1/briefings/${recorded}/next`);
  await waitFor(async () => {
    const d = await chair(first, 'GET', `api/v1/briefings/${recorded}`);
    const turn = d.turns.find((t) => t.office === 'TH-50');
    const program = d.recordings.filter((r) => r.kind === 'program');
    return turn && turn.duration_ms >= 4000 && program.some((r) => r.duration_ms >= 4000);
  }, { timeoutMs: 60000, intervalMs: 500, describe: 'TH-50\'s turn recorded' });
  await chair(first, 'POST', `api/v1/briefings/${recorded}/end`);
  const dated = (await chair(first, 'POST', 'api/v1/briefings', { title: TITLE_DATED })).id;
  await chair(first, 'POST', `api/v1/briefings/${dated}/end`);
  await pub.stop();
  await first.stop();

  const db = path.join(first.dataDir, 'briefing.sqlite');
  const py = spawnSync('python3', ['-c', 'import sqlite3, sys\n' +
    'c = sqlite3.connect(sys.argv[1])\n' +
    'c.execute("UPDATE briefings SET date = ? WHERE id = ?", (sys.argv[2], int(sys.argv[3])))\n' +
    'c.commit()\n', db, DATED, String(dated)], { encoding: 'utf8' });
  assert.equal(py.status, 0, `dating the briefing in ${db}: ${py.stderr}`);

  relay = await startOffices(null, first.dataDir);
  pub = startPublisher(relay, ['TH-50'], { videoFile: 'color-red.ivf' });
  await live(relay, 'TH-50');
  const running = (await chair(relay, 'POST', 'api/v1/briefings', {
    title: TITLE_LIVE, turn_limit_s: 600, agenda: [{ office: 'TH-50' }, { office: 'TH-12' }],
  })).id;
  await chair(relay, 'POST', `api/v1/briefings/${running}/next`);
  return { relay, recorded, dated, running };
}

const relayState = () => (statePromise ??= setUp());

/* ------------------------------------------------------------ the browser */

function pageWait(page, fn, describe, arg, timeoutMs = 60000) {
  return waitFor(() => page.evaluate(fn, arg), { timeoutMs, describe });
}

/* Every text the page shows ({where, text}): the rendered text nodes, the
 * titles, placeholders and labels of rendered elements, the values of text
 * inputs, the options of selects, the document's title. The language
 * switch is left out: it names the other language in that language. */
function shownTexts() {
  const out = [];
  const where = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') +
    (el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : '');
  const skip = (el) => !el || el.closest('[data-language-switch], script, style, noscript, select') ||
    !el.checkVisibility({ visibilityProperty: true });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.textContent.trim() && !skip(n.parentElement)) out.push({ where: where(n.parentElement), text: n.textContent });
  }
  for (const el of document.body.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
    if (skip(el) && !el.matches('select')) continue;
    for (const a of ['title', 'placeholder', 'aria-label', 'alt']) {
      if (el.getAttribute(a)) out.push({ where: `${where(el)}@${a}`, text: el.getAttribute(a) });
    }
  }
  for (const el of document.body.querySelectorAll('input:not([type]), input[type="text"], input[type="search"], textarea')) {
    if (el.value && el.checkVisibility()) out.push({ where: `${where(el)}.value`, text: el.value });
  }
  for (const el of document.body.querySelectorAll('select')) {
    if (!el.checkVisibility()) continue;
    for (const o of el.options) out.push({ where: `${where(el)} option`, text: o.text });
  }
  out.push({ where: 'document.title', text: document.title });
  return out;
}

/* What is wrong with a page in `lang`: English words in Thai, Thai in
 * English, a key shown in brackets (a missing entry). */
async function languageFaults(page, lang) {
  const faults = [];
  for (const { where, text } of await page.evaluate(shownTexts)) {
    let t = text;
    for (const d of DATA) t = t.split(d).join(' ');
    const key = /\[[a-z][\w-]*(?:\.[\w-]+)+\]/.exec(t);
    if (key) faults.push(`${where}: ${key[0]} (no such key)`);
    if (lang === 'th') {
      for (const p of NEUTRAL_PATTERNS) t = t.replace(p, ' ');
      const words = (t.match(/[A-Za-z][A-Za-z0-9]*/g) || [])
        .filter((w) => !ALLOWED_LATIN.has(w) && !ALLOWED_ANY_CASE.has(w.toLowerCase()));
      if (words.length) faults.push(`${where}: English "${words.join(' ')}" in "${text.trim().slice(0, 80)}"`);
    } else if (THAI.test(t)) {
      faults.push(`${where}: Thai in "${text.trim().slice(0, 80)}"`);
    }
  }
  return faults;
}

/* Waits until the page shows `lang` throughout (it redraws after a
 * switch); fails with what it still shows wrong. */
async function expectLanguage(page, lang, what) {
  let faults = [];
  await waitFor(async () => {
    faults = await page.evaluate(() => document.documentElement.lang) === lang
      ? await languageFaults(page, lang) : ['<html lang> not yet ' + lang];
    return faults.length === 0;
  }, { timeoutMs: 15000, intervalMs: 250, describe: `${what} in ${lang}` }).catch(() => {
    throw new Error(`${what} in ${lang === 'th' ? 'Thai' : 'English'}:\n  ${faults.slice(0, 40).join('\n  ')}`);
  });
}

const VIEWPORTS = [[1366, 768], [1920, 1080], [390, 844]];

async function screenshots(page, name, lang) {
  for (const [width, height] of VIEWPORTS) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${lang}-${width}x${height}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: VIEWPORTS[0][0], height: VIEWPORTS[0][1] });
}

for (const spec of PAGES) {
  const name = spec.html.replace(/\.html$/, '');
  test(`${spec.html}: Thai by default, English after the switch and after a reload (Chromium)`,
    { skip: skipOf(spec), timeout: 300000 }, async () => {
      const state = await relayState();
      const browser = await getBrowser();
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      const diagnostics = collectDiagnostics(page);
      try {
        await spec.setup(page, state);
        await page.goto(`${state.relay.url}${spec.url(state)}`);
        await spec.ready(page, state);
        await expectLanguage(page, 'th', spec.html);
        await screenshots(page, name, 'th');

        await page.click('[data-language-switch]');
        await expectLanguage(page, 'en', `${spec.html} after the switch`);
        assert.equal(await page.evaluate(() => localStorage.getItem('briefing.language')), 'en');
        await screenshots(page, name, 'en');

        await page.reload();
        await spec.ready(page, state);
        await expectLanguage(page, 'en', `${spec.html} reloaded`);
      } catch (e) {
        await page.screenshot({ path: path.join(SHOTS, `${name}-failed.png`), fullPage: true }).catch(() => null);
        state.relay.dumpLog();
        throw new Error(`${e.message}\n${diagnostics()}`);
      } finally {
        await context.close();
      }
    });
}

test(`dates: a briefing dated ${DATED} reads 07/12/2569 in Thai, 07/12/2026 in English (Chromium)`,
  { timeout: 300000 }, async () => {
    const state = await relayState();
    const d = await chair(state.relay, 'GET', `api/v1/briefings/${state.dated}`);
    assert.equal(d.date, DATED, 'the API keeps ISO');
    const csv = await request(`${state.relay.url}api/v1/briefings/${state.dated}/report.csv`, { headers: auth(CHAIR) });
    assert.equal(csv.status, 200);
    assert.ok(csv.text.includes(`${DATED},`), 'the CSV keeps ISO');
    const browser = await getBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await rememberToken(context, CHAIR, CHAIR_KEY);
    const page = await context.newPage();
    const diagnostics = collectDiagnostics(page);
    try {
      await page.goto(`${state.relay.url}briefing-report.html?id=${state.dated}`);
      const shown = () => pageWait(page, () => {
        const dd = document.querySelector('#report-facts dd[data-fact="date"]');
        return dd && { date: dd.textContent, title: document.title, body: document.body.innerText };
      }, 'the report\'s date');
      let r = await shown();
      assert.equal(r.date, '07/12/2569');
      assert.ok(r.title.includes('07/12/2569'), r.title);
      assert.ok(!r.body.includes(DATED), 'no ISO date on the page');
      await page.click('[data-language-switch]');
      await pageWait(page, () => document.querySelector('#report-facts dd[data-fact="date"]')
        .textContent === '07/12/2026', 'the date in English');
      r = await shown();
      assert.ok(r.title.includes('07/12/2026'), r.title);
      await page.screenshot({ path: path.join(SHOTS, 'report-dated-en.png'), fullPage: true });

      // The review list, the days typed and the heading, likewise.
      await page.evaluate(() => localStorage.setItem('briefing.language', 'th'));
      await page.goto(`${state.relay.url}review.html?from=${DATED}&to=${DATED}&id=${state.dated}`);
      const review = () => pageWait(page, (id) => {
        const row = document.querySelector(`#briefing-rows tr[data-id="${id}"]`);
        const heading = document.getElementById('player-heading').textContent;
        return row && heading.includes('—') && {
          row: row.firstElementChild.textContent,
          from: document.getElementById('from').value,
          to: document.getElementById('to').value,
          heading,
        };
      }, 'the dated briefing listed and chosen', state.dated);
      let v = await review();
      assert.deepEqual([v.row, v.from, v.to], ['07/12/2569', '07/12/2569', '07/12/2569']);
      assert.ok(v.heading.startsWith('07/12/2569 — '), v.heading);
      await page.click('[data-language-switch]');
      await pageWait(page, () => document.getElementById('from').value === '07/12/2026', 'the days in English');
      v = await review();
      assert.deepEqual([v.row, v.from, v.to], ['07/12/2026', '07/12/2026', '07/12/2026']);
      assert.ok(v.heading.startsWith('07/12/2026 — '), v.heading);
      // A day typed in the other era is the same day.
      await page.fill('#from', '01/12/2569');
      await page.press('#from', 'Tab');
      assert.equal(await page.inputValue('#from'), '01/12/2026');
    } catch (e) {
      throw new Error(`${e.message}\n${diagnostics()}`);
    } finally {
      await context.close();
    }
  });
