// Static checks of the province page (no browser, no relay): ids, labels,
// same-origin assets, no inline script or handlers, JS parses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { REPO_ROOT } from './lib/relay.mjs';

// BRIEFING_WEB_DIR: check another copy of web/ (used to prove the checks can fail).
const WEB = process.env.BRIEFING_WEB_DIR || path.join(REPO_ROOT, 'web');
const html = fs.readFileSync(path.join(WEB, 'province.html'), 'utf8');
const js = fs.readFileSync(path.join(WEB, 'province.js'), 'utf8');
const css = fs.readFileSync(path.join(WEB, 'common.css'), 'utf8');

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
  assert.ok(tags.some((t) => t.name === 'script' && t.attrs.get('src') === 'province.js'),
    'page must load province.js');
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

test('every getElementById in province.js names an id in province.html', () => {
  const calls = [...js.matchAll(/getElementById\s*\(\s*([^)]*?)\s*\)/g)];
  assert.ok(calls.length > 0, 'province.js does not use getElementById?');
  const nonLiteral = calls.filter((c) => !/^(['"])[^'"]+\1$/.test(c[1])).map((c) => c[0]);
  assert.deepEqual(nonLiteral, [],
    `getElementById must take a string literal so this test can check it: ${nonLiteral.join(', ')}`);
  const used = calls.map((c) => c[1].slice(1, -1));
  const missing = [...new Set(used.filter((id) => !idSet.has(id)))];
  assert.deepEqual(missing, [], `province.js uses ids missing from province.html: ${missing.join(', ')}`);
  assert.ok(!/querySelector(All)?\s*\(\s*['"]#/.test(js),
    'use getElementById (checked here) rather than querySelector("#...")');
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
  // Any absolute URL literal in the script is suspect (fetch/import/WebSocket...).
  for (const m of js.matchAll(/['"`]((?:https?|wss?):\/\/[^'"`]*|\/\/[a-z0-9.-]+\.[a-z]{2,}[^'"`]*)['"`]/gi)) {
    bad.push(`province.js literal ${m[1]}`);
  }
  if (/\bimport\s*\(|^\s*import\s/m.test(js)) {
    bad.push('province.js imports modules');
  }
  assert.deepEqual(bad, [], `external references:\n  ${bad.join('\n  ')}`);
});

test('no inline scripts, inline handlers or javascript: URLs', () => {
  const inlineHandlers = tags.filter((t) => [...t.attrs.keys()].some((k) => /^on[a-z]+$/.test(k)))
    .map((t) => t.raw);
  assert.deepEqual(inlineHandlers, [], `inline event handlers: ${inlineHandlers.join(' ')}`);
  const inlineScripts = [...markup.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)]
    .filter((m) => m[2].trim() !== '').map((m) => m[0].slice(0, 80));
  assert.deepEqual(inlineScripts, [], 'keep JS in province.js');
  assert.ok(!/javascript:/i.test(markup), 'javascript: URL in province.html');
});

test('the referenced local assets exist', () => {
  for (const t of tags) {
    const ref = t.name === 'script' ? t.attrs.get('src') : (t.name === 'link' ? t.attrs.get('href') : null);
    if (ref && isSameOrigin(ref) && !ref.startsWith('#')) {
      const file = path.join(WEB, ref.replace(/^\//, '').split(/[?#]/)[0]);
      assert.ok(fs.existsSync(file), `${ref} referenced by province.html does not exist in web/`);
    }
  }
});

test('province.js is a valid classic script and exposes the test hook', () => {
  assert.doesNotThrow(() => new vm.Script(js, { filename: 'province.js' }), 'province.js syntax error');
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
