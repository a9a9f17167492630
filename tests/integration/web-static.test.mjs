// Static checks of the pages (no browser, no relay): ids, labels, same-origin
// assets, no inline script or handlers, the JS modules (each page's entry
// module and everything it imports) parse, import only local files the relay
// serves. Pages: province.html (WHIP publisher) and watch.html (WHEP viewer).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../tools/lib/relay.mjs';

// BRIEFING_WEB_DIR: check another copy of web/ (used to prove the checks can fail).
const WEB = process.env.BRIEFING_WEB_DIR || path.join(REPO_ROOT, 'web');
// View modules every page may use: they touch the DOM by design
// (page-language.js fills the static texts in the chosen language).
const SHARED_VIEW_MODULES = ['page-language.js'];
const GRESOURCE = path.join(REPO_ROOT, 'config', 'briefing.gresource.xml');
const css = fs.readFileSync(path.join(WEB, 'common.css'), 'utf8');

// The pages' text catalogue (web/i18n.js and every web/texts-*.js): key ->
// {th, en}. The modules touch no DOM; in node, localStorage is absent and
// i18n.js falls back to Thai.
for (const f of fs.readdirSync(WEB).filter((n) => /^texts-[\w-]+\.js$/.test(n)).sort()) {
  await import(pathToFileURL(path.join(WEB, f)).href);
}
const { catalogueEntries } = await import(pathToFileURL(path.join(WEB, 'i18n.js')).href);
const catalogue = new Map(catalogueEntries());
const hasBothForms = (key) => {
  const entry = catalogue.get(key);
  return Boolean(entry) && ['th', 'en'].every((l) => typeof entry[l] === 'string' || typeof entry[l] === 'function');
};

// What each page must have. domFree: modules that must not touch the DOM
// (and that the entry module must import).
const PAGES = [
  {
    html: 'province.html',
    entry: 'province.js',
    hook: 'briefing',
    hookKeys: ['state', 'location', 'lastError', 'pc', 'turn', 'office', 'takeover'],
    requiredIds: ['province', 'token', 'forget-token', 'camera', 'microphone', 'preview',
      'publish', 'stop', 'state', 'briefing-panel', 'briefing-turn', 'floor-notice', 'floor-clock',
      'mic-notice', 'recording-notice', 'take-over', 'takeover-box', 'clips-list'],
    minLabels: 5,
    labelsWhat: 'province, token, camera, microphone, ...',
    minControls: 4,
    controlsWhat: 'province, token, camera and microphone',
    minModules: 3,
    domFree: ['publish-session.js', 'media-devices.js', 'briefing-api.js', 'briefing-format.js',
      'figures-plausibility.js'],
    domAllowed: ['figures-form.js', 'province-briefing.js', 'province-office.js', 'date-field.js'],
    video: { id: 'preview', what: 'the local preview', attrs: ['muted'] },
  },
  {
    html: 'watch.html',
    entry: 'watch.js',
    hook: 'briefingWatch',
    requiredIds: ['province', 'province-state', 'token', 'forget-token', 'show-token', 'watch',
      'stop', 'video', 'unmute', 'state', 'state-text', 'state-detail', 'stat-resolution',
      'stat-fps', 'stat-bitrate', 'stage', 'fullscreen', 'live-offices', 'sign-in', 'sign-out'],
    minLabels: 3,
    labelsWhat: 'province, token, show token',
    minControls: 3,
    controlsWhat: 'province, token and show token',
    minModules: 2,
    domFree: ['view-session.js', 'signin-api.js', 'briefing-api.js', 'texts-watch.js'],
    domAllowed: ['watch-stage.js', 'watch-signin.js'],
    // Autoplay rules: a remote <video> may start on its own only muted.
    video: { id: 'video', what: 'the remote picture', attrs: ['muted', 'autoplay', 'playsinline'] },
  },
  {
    html: 'ops.html',
    entry: 'ops.js',
    hook: 'briefingOps',
    hookKeys: ['viewer', 'conference', 'briefing', 'roster', 'speaking', 'relay'],
    requiredIds: ['token', 'connect', 'disconnect', 'publish', 'mosaic', 'roster', 'state',
      'state-text', 'take-floor', 'control-error', 'briefing-form', 'briefing-title',
      'briefing-limit', 'briefing-start', 'briefing-end', 'agenda-next', 'agenda-list',
      'attendance-summary', 'attendance-absent', 'turn-office', 'turn-clock', 'agenda-add',
      'speaking', 'speaking-office', 'speaking-clock', 'relay-down', 'mosaic-frame', 'fullscreen',
      'roster-filter', 'roster-sort', 'roster-search', 'floor-confirm', 'help'],
    minLabels: 1,
    labelsWhat: 'the chair token',
    minControls: 1,
    controlsWhat: 'the chair token',
    minModules: 3,
    domFree: ['view-session.js', 'publish-session.js', 'briefing-api.js', 'briefing-format.js',
      'network-quality.js', 'relay-watch.js', 'ops-format.js'],
    domAllowed: ['ops-briefing.js', 'ops-agenda.js', 'ops-roster.js', 'ops-speaking.js', 'ops-mosaic.js',
      'ops-control.js', 'ops-shortcuts.js', 'ops-phone-link.js'],
    // The operations room hears the conference: not muted.
    video: { id: 'mosaic', what: 'the mosaic', attrs: ['autoplay', 'playsinline'] },
  },
  {
    html: 'figures.html',
    entry: 'figures.js',
    hook: 'briefingFigures',
    hookKeys: ['state'],
    requiredIds: ['token', 'date', 'load', 'csv', 'figures-table', 'figures-body', 'missing-list'],
    minLabels: 2,
    labelsWhat: 'token and date',
    minControls: 2,
    controlsWhat: 'token and date',
    minModules: 1,
    domFree: ['figures-format.js', 'briefing-format.js'],
    domAllowed: ['date-field.js'],
  },
  {
    html: 'review.html',
    entry: 'review.js',
    hook: 'briefingReview',
    hookKeys: ['state', 'seek', 'select'],
    requiredIds: ['token', 'from', 'to', 'load', 'briefing-rows', 'player', 'chapters',
      'turn-figures', 'attendance-body', 'export-chapter', 'export-csv', 'print-report'],
    minLabels: 3,
    labelsWhat: 'token, from and to',
    minControls: 3,
    controlsWhat: 'token, from and to',
    minModules: 4,
    domFree: ['briefing-api.js', 'briefing-format.js', 'figures-format.js', 'review-player.js'],
    domAllowed: ['review-panels.js', 'date-field.js'],
    // The reviewer starts it (sound on): no autoplay.
    video: { id: 'player', what: 'the recording', attrs: ['controls', 'playsinline'] },
  },
  {
    html: 'briefing-report.html',
    entry: 'briefing-report.js',
    hook: 'briefingReport',
    hookKeys: ['state'],
    requiredIds: ['token', 'print', 'report-title', 'attendance-body', 'turns-body', 'figures-body',
      'figures-foot'],
    minLabels: 1,
    labelsWhat: 'the token',
    minControls: 1,
    controlsWhat: 'the token',
    minModules: 3,
    domFree: ['briefing-api.js', 'briefing-format.js', 'figures-format.js'],
  },
];

// Files compiled into the relay under /briefing (web/x.js etc.); the relay
// serves /x.js from /briefing/web/x.js only, so pages and modules are flat.
const gresourceFiles = new Set(
  [...fs.readFileSync(GRESOURCE, 'utf8').replace(/<!--[\s\S]*?-->/g, '')
    .matchAll(/<file\b[^>]*>\s*([^<]+?)\s*<\/file>/g)].map((m) => m[1]));

/** All start tags as {name, attrs: Map, raw}. Attribute values may be quoted or bare. */
function parseTags(src) {
  const tags = [];
  const tagRe = /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
  const attrRe = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  while ((m = tagRe.exec(src)) !== null) {
    const attrs = new Map();
    let a;
    attrRe.lastIndex = 0;
    while ((a = attrRe.exec(m[2])) !== null) {
      const value = a[2] ?? a[3] ?? a[4] ?? '';
      attrs.set(a[1].toLowerCase(), decodeEntities(value));
    }
    tags.push({ name: m[1].toLowerCase(), attrs, raw: m[0], index: m.index });
  }
  return tags;
}

function decodeEntities(s) {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Module specifiers of static imports / re-exports, and whether import() is used. */
function moduleImports(src) {
  const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*(['"])([^'"]*)\1/gm)) {
    specs.push(m[2]);
  }
  for (const m of code.matchAll(/^\s*import\s*(['"])([^'"]*)\1/gm)) {
    specs.push(m[2]); // side-effect import
  }
  return { specs, dynamic: /\bimport\s*\(/.test(code) };
}

/** Same-origin flat module path the relay can serve: './name.js'. */
const LOCAL_MODULE_RE = /^\.\/[A-Za-z0-9_-][A-Za-z0-9._-]*\.js$/;

/** The module graph from entry: name -> {src, imports}. Imports that are not
 * local flat paths are recorded (and reported by the tests), not followed. */
function moduleGraph(entry) {
  const modules = new Map();
  (function walk(name) {
    if (modules.has(name) || !fs.existsSync(path.join(WEB, name))) {
      return;
    }
    const src = fs.readFileSync(path.join(WEB, name), 'utf8');
    const imports = moduleImports(src);
    modules.set(name, { src, imports });
    for (const spec of imports.specs) {
      if (LOCAL_MODULE_RE.test(spec)) {
        walk(spec.slice(2));
      }
    }
  }(entry));
  return modules;
}

/** Same-origin reference: relative path or absolute path, no scheme, no '//' host. */
function isSameOrigin(ref) {
  const r = ref.trim();
  if (r === '' || r.startsWith('#')) {
    return true;
  }
  if (r.startsWith('//')) {
    return false;
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(r)) {
    return false; // http:, https:, data:, javascript:, ...
  }
  return true;
}

/** Code without comments. */
const stripComments = (src) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

/* ------------------------------------------------------- per-page checks */

const loadedScripts = new Set();

function checkPage(spec) {
  const { html: page, entry } = spec;
  const htmlPath = path.join(WEB, page);
  const html = fs.existsSync(htmlPath) ? fs.readFileSync(htmlPath, 'utf8') : '';
  // Drop comments so commented-out markup does not count.
  const markup = html.replace(/<!--[\s\S]*?-->/g, '');
  const tags = parseTags(markup);
  const ids = tags.filter((t) => t.attrs.has('id')).map((t) => t.attrs.get('id'));
  const idSet = new Set(ids);
  const modules = moduleGraph(entry);
  for (const name of modules.keys()) {
    loadedScripts.add(name);
  }
  const js = modules.get(entry)?.src ?? '';
  const name = (what) => `${page}: ${what}`;

  test(name('page parses into tags and has the basics'), () => {
    assert.ok(html, `web/${page} missing`);
    assert.ok(tags.length > 20, `${page}: too few tags parsed`);
    assert.match(markup, /^<!DOCTYPE html>/i, 'missing <!DOCTYPE html>');
    const htmlTag = tags.find((t) => t.name === 'html');
    assert.ok(htmlTag && htmlTag.attrs.get('lang'), '<html> needs a lang attribute');
    assert.ok(tags.some((t) => t.name === 'meta' && t.attrs.get('charset')?.toLowerCase() === 'utf-8'),
      'missing <meta charset="utf-8">');
    assert.ok(tags.some((t) => t.name === 'meta' && t.attrs.get('name') === 'viewport'),
      'missing <meta name="viewport"> (phones)');
    const script = tags.find((t) => t.name === 'script' && t.attrs.get('src') === entry);
    assert.ok(script, `page must load ${entry}`);
    assert.equal(script.attrs.get('type'), 'module',
      `${entry} is an ES module: <script type="module" src="${entry}">`);
    assert.ok(modules.has(entry), `web/${entry} missing`);
    assert.ok(tags.some((t) => t.name === 'link' && t.attrs.get('rel') === 'stylesheet' &&
      t.attrs.get('href') === 'common.css'), 'page must load common.css');
  });

  test(name('ids are unique'), () => {
    const seen = new Set();
    const dups = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
    assert.deepEqual(dups, [], `duplicate ids in ${page}: ${dups.join(', ')}`);
  });

  test(name('every <label for> names an element id'), () => {
    const fors = tags.filter((t) => t.name === 'label' && t.attrs.has('for')).map((t) => t.attrs.get('for'));
    assert.ok(fors.length >= spec.minLabels, `expected labels for ${spec.labelsWhat}`);
    const missing = fors.filter((f) => !idSet.has(f));
    assert.deepEqual(missing, [], `<label for> without a matching id: ${missing.join(', ')}`);
  });

  test(name('every form control has a label'), () => {
    const labelled = new Set(
      tags.filter((t) => t.name === 'label' && t.attrs.has('for')).map((t) => t.attrs.get('for')));
    const controls = tags.filter((t) => ['input', 'select', 'textarea'].includes(t.name) &&
      t.attrs.get('type') !== 'hidden');
    assert.ok(controls.length >= spec.minControls, `expected ${spec.controlsWhat} controls`);
    const unlabelled = controls
      .filter((t) => !(labelled.has(t.attrs.get('id')) || t.attrs.has('aria-label') ||
        t.attrs.has('aria-labelledby')))
      .map((t) => t.attrs.get('id') || t.raw);
    assert.deepEqual(unlabelled, [], `controls without a label: ${unlabelled.join(', ')}`);
  });

  test(name('required controls exist'), () => {
    for (const id of spec.requiredIds) {
      assert.ok(idSet.has(id), `${page} lacks #${id}`);
    }
    if (!spec.video) {
      return;
    }
    const video = tags.find((t) => t.attrs.get('id') === spec.video.id);
    assert.equal(video.name, 'video', `#${spec.video.id} must be a <video>`);
    for (const attr of spec.video.attrs) {
      assert.ok(video.attrs.has(attr), `${spec.video.what} <video> must be ${attr}`);
    }
  });

  test(name('every getElementById in the page\'s modules names an id in the page'), () => {
    assert.ok(modules.size >= spec.minModules,
      `expected ${entry} and its modules, found: ${[...modules.keys()].join(', ')}`);
    let count = 0;
    for (const [mod, { src }] of modules) {
      const calls = [...src.matchAll(/getElementById\s*\(\s*([^)]*?)\s*\)/g)];
      count += calls.length;
      const nonLiteral = calls.filter((c) => !/^(['"])[^'"]+\1$/.test(c[1])).map((c) => c[0]);
      assert.deepEqual(nonLiteral, [],
        `${mod}: getElementById must take a string literal so this test can check it: ${nonLiteral.join(', ')}`);
      const used = calls.map((c) => c[1].slice(1, -1));
      const missing = [...new Set(used.filter((id) => !idSet.has(id)))];
      assert.deepEqual(missing, [], `${mod} uses ids missing from ${page}: ${missing.join(', ')}`);
      assert.ok(!/querySelector(All)?\s*\(\s*['"]#/.test(src),
        `${mod}: use getElementById (checked here) rather than querySelector("#...")`);
    }
    assert.ok(count > 0, `${entry} and its modules do not use getElementById?`);
  });

  test(name('modules import only local files that the relay serves'), () => {
    const bad = [];
    for (const [mod, { imports }] of modules) {
      if (imports.dynamic) {
        bad.push(`${mod}: import() (use static imports, which this test checks)`);
      }
      for (const s of imports.specs) {
        if (!LOCAL_MODULE_RE.test(s)) {
          bad.push(`${mod}: import '${s}' (must be a same-origin relative './name.js')`);
          continue;
        }
        const file = s.slice(2);
        if (!fs.existsSync(path.join(WEB, file))) {
          bad.push(`${mod}: import '${s}' does not exist in web/`);
        } else if (!gresourceFiles.has(`web/${file}`)) {
          bad.push(`${mod}: import '${s}' is not in config/briefing.gresource.xml`);
        }
      }
    }
    assert.deepEqual(bad, [], `bad imports:\n  ${bad.join('\n  ')}`);
  });

  test(name('the session and media modules do not touch the DOM'), () => {
    for (const mod of spec.domFree) {
      assert.ok(modules.has(mod), `${entry} should import ${mod}`);
    }
    for (const [mod, { src }] of modules) {
      // View modules (a form built from the schema) may touch the DOM.
      if (mod === entry || (spec.domAllowed ?? []).includes(mod) || SHARED_VIEW_MODULES.includes(mod)) {
        continue;
      }
      const dom = [...new Set([...stripComments(src)
        .matchAll(/\b(document|window|getElementById|querySelector\w*)\b/g)].map((m) => m[1]))];
      assert.deepEqual(dom, [], `${mod} uses ${dom.join(', ')}: DOM access belongs in ${entry}`);
    }
  });

  test(name('page references only same-origin assets'), () => {
    const bad = [];
    for (const t of tags) {
      for (const attr of ['src', 'href', 'action', 'poster', 'data', 'formaction']) {
        if (t.attrs.has(attr) && !isSameOrigin(t.attrs.get(attr))) {
          bad.push(`<${t.name} ${attr}="${t.attrs.get(attr)}">`);
        }
      }
      if (t.attrs.has('srcset')) {
        bad.push(`<${t.name} srcset> (not allowed)`);
      }
      if (t.attrs.has('style') && /url\s*\(/i.test(t.attrs.get('style'))) {
        bad.push(`<${t.name} style="...url(...)">`);
      }
    }
    for (const m of css.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)) {
      if (!isSameOrigin(m[2])) {
        bad.push(`common.css url(${m[2]})`);
      }
    }
    for (const m of css.matchAll(/@import\s+(?:url\()?\s*['"]?([^'");\s]+)/gi)) {
      if (!isSameOrigin(m[1])) {
        bad.push(`common.css @import ${m[1]}`);
      }
    }
    // Any absolute URL literal in a script is suspect (fetch/import/WebSocket...).
    for (const [mod, { src }] of modules) {
      for (const m of src.matchAll(/['"`]((?:https?|wss?):\/\/[^'"`]*|\/\/[a-z0-9.-]+\.[a-z]{2,}[^'"`]*)['"`]/gi)) {
        bad.push(`${mod} literal ${m[1]}`);
      }
    }
    assert.deepEqual(bad, [], `external references:\n  ${bad.join('\n  ')}`);
  });

  test(name('no inline scripts, inline handlers or javascript: URLs'), () => {
    const inlineHandlers = tags.filter((t) => [...t.attrs.keys()].some((k) => /^on[a-z]+$/.test(k)))
      .map((t) => t.raw);
    assert.deepEqual(inlineHandlers, [], `inline event handlers: ${inlineHandlers.join(' ')}`);
    const inlineScripts = [...markup.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)]
      .filter((m) => m[2].trim() !== '').map((m) => m[0].slice(0, 80));
    assert.deepEqual(inlineScripts, [], 'keep JS in web/*.js modules');
    assert.ok(!/javascript:/i.test(markup), `javascript: URL in ${page}`);
  });

  test(name('the referenced local assets exist and are compiled into the relay'), () => {
    for (const t of tags) {
      const ref = t.name === 'script' ? t.attrs.get('src') : (t.name === 'link' ? t.attrs.get('href') : null);
      if (ref && isSameOrigin(ref) && !ref.startsWith('#')) {
        const rel = ref.replace(/^\//, '').split(/[?#]/)[0];
        assert.ok(fs.existsSync(path.join(WEB, rel)), `${ref} referenced by ${page} does not exist in web/`);
        assert.ok(gresourceFiles.has(`web/${rel}`), `${ref} is not in config/briefing.gresource.xml`);
      }
    }
    assert.ok(gresourceFiles.has(`web/${page}`), `${page} is not in config/briefing.gresource.xml`);
  });

  test(name(`the modules parse and ${entry} exposes the test hook`), () => {
    for (const [mod, { src }] of modules) {
      const r = spawnSync(process.execPath, ['--input-type=module', '--check'], { input: src, encoding: 'utf8' });
      assert.equal(r.status, 0, `${mod}: not a valid ES module:\n${r.stderr}`);
    }
    assert.match(js, new RegExp(`window,\\s*'${spec.hook}'|window\\.${spec.hook}\\s*=`),
      `window.${spec.hook} hook missing`);
    for (const k of spec.hookKeys ?? ['state', 'location', 'lastError', 'pc']) {
      assert.match(js, new RegExp(`\\b${k}\\s*:`), `window.${spec.hook}.${k} missing`);
    }
  });

  // A page shows one language at a time (issue 13): a label names its
  // text in the catalogue (data-text on it, or on each element inside it
  // that holds text), which has a Thai and an English form
  // (page-language.test.mjs checks the keys).
  test(name('labels come from the catalogue'), () => {
    const labels = [...markup.matchAll(/<label\b([^>]*)>([\s\S]*?)<\/label>/gi)];
    const bad = labels.filter(([, attrs, inner]) => {
      if (/\bdata-text\s*=/.test(attrs)) {
        return inner.trim() !== '' && !/\bdata-text\s*=/.test(inner);
      }
      const outside = inner.replace(/<([a-z]+)\b[^>]*\bdata-text\s*=[^>]*>[\s\S]*?<\/\1>/gi, '')
        .replace(/<[^>]*>/g, '').trim();
      return !/\bdata-text\s*=/.test(inner) || /\p{L}/u.test(outside);
    }).map((m) => m[0]);
    assert.deepEqual(bad, [], `labels must name their text with data-text: ${bad.join(' | ')}`);
  });

  test(name('every text key the markup names is in the catalogue, in Thai and English'), () => {
    const keys = [...markup.matchAll(/\bdata-text(?:-placeholder|-title|-label)?="([^"]+)"/g)].map((m) => m[1]);
    const missing = [...new Set(keys.filter((k) => !hasBothForms(k)))];
    assert.deepEqual(missing, [], `keys without both forms in web/texts-*.js: ${missing.join(', ')}`);
  });

  return { markup, tags, idSet, modules, js };
}

const pages = new Map(PAGES.map((spec) => [spec.html, checkPage(spec)]));

/* What the pages do (watch.html's offer is recvonly audio then video,
 * bundled, to /whep/province/<code>, it opens no camera, it releases its
 * session on leaving; the texts of its refusals) is tested in Chromium
 * against a real relay: browser-watch.test.mjs. */

/* ----------------------------------------------------------- all pages */

test('every page in web/ is checked here', () => {
  const unchecked = fs.readdirSync(WEB).filter((f) => f.endsWith('.html') && !pages.has(f));
  assert.deepEqual(unchecked, [], `add these pages to PAGES in ${path.basename(import.meta.url)}: ` +
    unchecked.join(', '));
});

test('no page file is shadowed by the relay\'s /whip or /whep endpoints', () => {
  // libsoup routes by path prefix: the /whip handler answers /whip-anything.js
  // with 404 "use /whip/<province code>" before the static pages see it, and
  // /whep likewise.
  const shadowed = [...gresourceFiles].filter((f) => /^web\/wh[ie]p/i.test(f));
  assert.deepEqual(shadowed, [], `rename (the relay would answer 404): ${shadowed.join(', ')}`);
  const files = fs.readdirSync(WEB).filter((f) => /^wh[ie]p/i.test(f));
  assert.deepEqual(files, [], `rename (the relay would answer 404): ${files.join(', ')}`);
});

test('every script in web/ is loaded by a page', () => {
  const orphans = fs.readdirSync(WEB).filter((f) => f.endsWith('.js') && !loadedScripts.has(f));
  assert.deepEqual(orphans, [], `web/ scripts neither loaded nor imported: ${orphans.join(', ')}`);
});

test('the font stack covers Thai', () => {
  assert.match(css, /(?:font-family|--[\w-]*font[\w-]*)\s*:[^;]*(Noto Sans Thai|Sarabun|Loma|Garuda|Tlwg|Leelawadee|Thonburi)/i,
    'common.css font stack has no Thai face');
});
