// Static checks of the province page (no browser, no relay): ids, labels,
// same-origin assets, no inline script or handlers, the JS modules (province.js
// and everything it imports) parse, import only local files the relay serves.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './lib/relay.mjs';

// BRIEFING_WEB_DIR: check another copy of web/ (used to prove the checks can fail).
const WEB = process.env.BRIEFING_WEB_DIR || path.join(REPO_ROOT, 'web');
const GRESOURCE = path.join(REPO_ROOT, 'config', 'briefing.gresource.xml');
const ENTRY = 'province.js';
const html = fs.readFileSync(path.join(WEB, 'province.html'), 'utf8');
const css = fs.readFileSync(path.join(WEB, 'common.css'), 'utf8');

// Files compiled into the relay under /briefing (web/x.js etc.); the relay
// serves /x.js from /briefing/web/x.js only, so pages and modules are flat.
const gresourceFiles = new Set(
  [...fs.readFileSync(GRESOURCE, 'utf8').replace(/<!--[\s\S]*?-->/g, '')
    .matchAll(/<file\b[^>]*>\s*([^<]+?)\s*<\/file>/g)].map((m) => m[1]));

// Drop comments so commented-out markup does not count.
const markup = html.replace(/<!--[\s\S]*?-->/g, '');

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

const tags = parseTags(markup);
const ids = tags.filter((t) => t.attrs.has('id')).map((t) => t.attrs.get('id'));
const idSet = new Set(ids);

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

// The module graph from province.js: name -> {src, imports}. Imports that are
// not local flat paths are recorded (and reported below), not followed.
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
}(ENTRY));
const js = modules.get(ENTRY)?.src ?? '';

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

test('page parses into tags and has the basics', () => {
  assert.ok(tags.length > 20, 'province.html: too few tags parsed');
  assert.match(markup, /^<!DOCTYPE html>/i, 'missing <!DOCTYPE html>');
  const htmlTag = tags.find((t) => t.name === 'html');
  assert.ok(htmlTag && htmlTag.attrs.get('lang'), '<html> needs a lang attribute');
  assert.ok(tags.some((t) => t.name === 'meta' && t.attrs.get('charset')?.toLowerCase() === 'utf-8'),
    'missing <meta charset="utf-8">');
  assert.ok(tags.some((t) => t.name === 'meta' && t.attrs.get('name') === 'viewport'),
    'missing <meta name="viewport"> (phones)');
  const script = tags.find((t) => t.name === 'script' && t.attrs.get('src') === ENTRY);
  assert.ok(script, 'page must load province.js');
  assert.equal(script.attrs.get('type'), 'module',
    'province.js is an ES module: <script type="module" src="province.js">');
  assert.ok(modules.has(ENTRY), 'web/province.js missing');
  assert.ok(tags.some((t) => t.name === 'link' && t.attrs.get('rel') === 'stylesheet' &&
    t.attrs.get('href') === 'common.css'), 'page must load common.css');
});

test('ids are unique', () => {
  const seen = new Set();
  const dups = ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  assert.deepEqual(dups, [], `duplicate ids in province.html: ${dups.join(', ')}`);
});

test('every <label for> names an element id', () => {
  const fors = tags.filter((t) => t.name === 'label' && t.attrs.has('for')).map((t) => t.attrs.get('for'));
  assert.ok(fors.length >= 5, 'expected labels for province, token, camera, microphone, ...');
  const missing = fors.filter((f) => !idSet.has(f));
  assert.deepEqual(missing, [], `<label for> without a matching id: ${missing.join(', ')}`);
});

test('every form control has a label', () => {
  const labelled = new Set(
    tags.filter((t) => t.name === 'label' && t.attrs.has('for')).map((t) => t.attrs.get('for')));
  const controls = tags.filter((t) => ['input', 'select', 'textarea'].includes(t.name) &&
    t.attrs.get('type') !== 'hidden');
  assert.ok(controls.length >= 4, 'expected province, token, camera and microphone controls');
  const unlabelled = controls
    .filter((t) => !(labelled.has(t.attrs.get('id')) || t.attrs.has('aria-label') ||
      t.attrs.has('aria-labelledby')))
    .map((t) => t.attrs.get('id') || t.raw);
  assert.deepEqual(unlabelled, [], `controls without a label: ${unlabelled.join(', ')}`);
});

test('required controls exist', () => {
  for (const id of ['province', 'token', 'forget-token', 'camera', 'microphone', 'preview',
    'publish', 'stop', 'state']) {
    assert.ok(idSet.has(id), `province.html lacks #${id}`);
  }
  const preview = tags.find((t) => t.attrs.get('id') === 'preview');
  assert.equal(preview.name, 'video', '#preview must be a <video>');
  assert.ok(preview.attrs.has('muted'), 'the local preview <video> must be muted');
});

test('every getElementById in the page\'s modules names an id in province.html', () => {
  assert.ok(modules.size >= 3, `expected province.js and its modules, found: ${[...modules.keys()].join(', ')}`);
  let count = 0;
  for (const [name, { src }] of modules) {
    const calls = [...src.matchAll(/getElementById\s*\(\s*([^)]*?)\s*\)/g)];
    count += calls.length;
    const nonLiteral = calls.filter((c) => !/^(['"])[^'"]+\1$/.test(c[1])).map((c) => c[0]);
    assert.deepEqual(nonLiteral, [],
      `${name}: getElementById must take a string literal so this test can check it: ${nonLiteral.join(', ')}`);
    const used = calls.map((c) => c[1].slice(1, -1));
    const missing = [...new Set(used.filter((id) => !idSet.has(id)))];
    assert.deepEqual(missing, [], `${name} uses ids missing from province.html: ${missing.join(', ')}`);
    assert.ok(!/querySelector(All)?\s*\(\s*['"]#/.test(src),
      `${name}: use getElementById (checked here) rather than querySelector("#...")`);
  }
  assert.ok(count > 0, 'province.js and its modules do not use getElementById?');
});

test('modules import only local files that the relay serves', () => {
  const bad = [];
  for (const [name, { imports }] of modules) {
    if (imports.dynamic) {
      bad.push(`${name}: import() (use static imports, which this test checks)`);
    }
    for (const spec of imports.specs) {
      if (!LOCAL_MODULE_RE.test(spec)) {
        bad.push(`${name}: import '${spec}' (must be a same-origin relative './name.js')`);
        continue;
      }
      const file = spec.slice(2);
      if (!fs.existsSync(path.join(WEB, file))) {
        bad.push(`${name}: import '${spec}' does not exist in web/`);
      } else if (!gresourceFiles.has(`web/${file}`)) {
        bad.push(`${name}: import '${spec}' is not in config/briefing.gresource.xml`);
      }
    }
  }
  assert.deepEqual(bad, [], `bad imports:\n  ${bad.join('\n  ')}`);
});

test('the session and media modules do not touch the DOM', () => {
  for (const name of ['publish-session.js', 'media-devices.js']) {
    assert.ok(modules.has(name), `province.js should import ${name}`);
  }
  for (const [name, { src }] of modules) {
    if (name === ENTRY) {
      continue;
    }
    const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const dom = [...new Set([...code.matchAll(/\b(document|window|getElementById|querySelector\w*)\b/g)]
      .map((m) => m[1]))];
    assert.deepEqual(dom, [], `${name} uses ${dom.join(', ')}: DOM access belongs in province.js`);
  }
});

test('page references only same-origin assets', () => {
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
  for (const [name, { src }] of modules) {
    for (const m of src.matchAll(/['"`]((?:https?|wss?):\/\/[^'"`]*|\/\/[a-z0-9.-]+\.[a-z]{2,}[^'"`]*)['"`]/gi)) {
      bad.push(`${name} literal ${m[1]}`);
    }
  }
  assert.deepEqual(bad, [], `external references:\n  ${bad.join('\n  ')}`);
});

test('no inline scripts, inline handlers or javascript: URLs', () => {
  const inlineHandlers = tags.filter((t) => [...t.attrs.keys()].some((k) => /^on[a-z]+$/.test(k)))
    .map((t) => t.raw);
  assert.deepEqual(inlineHandlers, [], `inline event handlers: ${inlineHandlers.join(' ')}`);
  const inlineScripts = [...markup.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)]
    .filter((m) => m[2].trim() !== '').map((m) => m[0].slice(0, 80));
  assert.deepEqual(inlineScripts, [], 'keep JS in web/*.js modules');
  assert.ok(!/javascript:/i.test(markup), 'javascript: URL in province.html');
});

test('the referenced local assets exist and are compiled into the relay', () => {
  for (const t of tags) {
    const ref = t.name === 'script' ? t.attrs.get('src') : (t.name === 'link' ? t.attrs.get('href') : null);
    if (ref && isSameOrigin(ref) && !ref.startsWith('#')) {
      const rel = ref.replace(/^\//, '').split(/[?#]/)[0];
      assert.ok(fs.existsSync(path.join(WEB, rel)), `${ref} referenced by province.html does not exist in web/`);
      assert.ok(gresourceFiles.has(`web/${rel}`), `${ref} is not in config/briefing.gresource.xml`);
    }
  }
  assert.ok(gresourceFiles.has('web/province.html'), 'province.html is not in config/briefing.gresource.xml');
});

test('no page file is shadowed by the relay\'s /whip endpoint', () => {
  // libsoup routes by path prefix: the /whip handler answers /whip-anything.js
  // with 404 "use /whip/<province code>" before the static pages see it.
  const shadowed = [...gresourceFiles].filter((f) => /^web\/whip/i.test(f));
  assert.deepEqual(shadowed, [], `rename (the relay would answer 404): ${shadowed.join(', ')}`);
});

test('every script in web/ is loaded by the page', () => {
  const orphans = fs.readdirSync(WEB).filter((f) => f.endsWith('.js') && !modules.has(f));
  assert.deepEqual(orphans, [], `web/ scripts neither loaded nor imported: ${orphans.join(', ')}`);
});

test('the modules parse and province.js exposes the test hook', () => {
  for (const [name, { src }] of modules) {
    const r = spawnSync(process.execPath, ['--input-type=module', '--check'], { input: src, encoding: 'utf8' });
    assert.equal(r.status, 0, `${name}: not a valid ES module:\n${r.stderr}`);
  }
  assert.match(js, /window,\s*'briefing'|window\.briefing\s*=/, 'window.briefing hook missing');
  for (const k of ['state', 'location', 'lastError', 'pc']) {
    assert.match(js, new RegExp(`\\b${k}\\s*:`), `window.briefing.${k} missing`);
  }
});

test('labels are bilingual and the font stack covers Thai', () => {
  const thai = /[\u0E00-\u0E7F]/;
  const labelTexts = [...markup.matchAll(/<label\b[^>]*>([\s\S]*?)<\/label>/gi)].map((m) => m[1].trim());
  const notBilingual = labelTexts.filter((t) => !(thai.test(t) && /[A-Za-z]/.test(t) && t.includes('/')));
  assert.deepEqual(notBilingual, [], `labels must read "ไทย / English": ${notBilingual.join(' | ')}`);
  assert.match(css, /(?:font-family|--[\w-]*font[\w-]*)\s*:[^;]*(Noto Sans Thai|Sarabun|Loma|Garuda|Tlwg|Leelawadee|Thonburi)/i,
    'common.css font stack has no Thai face');
});
