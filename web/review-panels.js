/* briefing-relay: the review console's panels (review.html): the list of
 * briefings, the chapters (one per turn, with the turn's own recording and
 * its spoken-status clip), the figures of the office whose turn plays, and
 * the roll call. Plain rendering from the documents of
 * GET /api/v1/briefings[/<id>], in the page's language; review.js decides
 * what and when (and draws them again at a change of language). */

import {
  briefingStateText, attendanceText, endReasonText, clockText, bangkokTime, officeName, turnSpan,
} from './briefing-format.js';
import { regionName, fieldLabel, unitText, formatValue } from './figures-format.js';
import { text, formatDate } from './i18n.js';
import './texts-review.js';

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function link(text, href, { download = false, title } = {}) {
  const a = el('a', text);
  a.href = href;
  if (download) a.setAttribute('download', '');
  if (title) a.title = title;
  return a;
}

/* ------------------------------------------------------------ the list */

export function renderList(tbody, briefings, selectedId, onSelect) {
  const rows = briefings.map((b) => {
    const tr = el('tr');
    tr.dataset.id = String(b.id);
    tr.dataset.state = b.state;
    tr.classList.toggle('selected', b.id === selectedId);
    const c = b.counts || {};
    const open = el('button', b.title, 'linkish');
    open.type = 'button';
    open.addEventListener('click', () => onSelect(b.id));
    const title = el('td');
    title.append(open);
    tr.append(
      el('td', formatDate(b.date)),
      title,
      el('td', briefingStateText(b.state), 'state'),
      el('td', b.started_at ? bangkokTime(b.started_at) : '–'),
      el('td', b.duration_s === null ? '–' : clockText(b.duration_s * 1000), 'num'),
      el('td', `${(c.present || 0) + (c.late || 0)}/${c.expected || 0}`, 'num'),
      el('td', String(c.late || 0), 'num'),
      el('td', String(c.absent || 0), 'num'),
      el('td', String(b.turns || 0), 'num'),
    );
    return tr;
  });
  tbody.replaceChildren(...rows);
}

/* -------------------------------------------------------- the chapters */

/* One item per turn: a button that seeks to it, and its own files. Returns
 * turn id -> <li>. */
export function renderChapters(ol, turns, segments, onSeek) {
  const items = new Map();
  const lis = (turns || []).map((t, i) => {
    const li = el('li');
    li.dataset.turn = String(t.id);
    li.dataset.office = t.office;
    const span = turnSpan(t, segments);
    const go = el('button', null, 'chapter-go');
    go.type = 'button';
    go.append(el('span', officeName(t), 'chapter-name'),
      el('span', `${bangkokTime(t.started_at)} · ${clockText(t.duration_ms)}` +
        (t.overtime ? ' · ' + text('turn.overtime') : ''), 'chapter-time'));
    go.disabled = !span;
    go.addEventListener('click', () => onSeek(t, span));
    go.dataset.index = String(i);
    li.append(go);
    const extra = el('span', null, 'chapter-links');
    for (const r of t.recordings || []) {
      const size = r.width && r.height ? ` ${r.width}×${r.height}` : '';
      extra.append(link(text('review.original', r.container), r.url, {
        download: false, title: `${(r.video_codec || '').toUpperCase()}${size}`,
      }));
    }
    if (t.clip) {
      extra.append(link(text('review.audio-clip'), t.clip.url));
    }
    if (t.end_reason) {
      extra.append(el('span', endReasonText(t.end_reason), 'muted'));
    }
    li.append(extra);
    items.set(t.id, li);
    return li;
  });
  ol.replaceChildren(...lis);
  return items;
}

export function markChapter(items, turnId) {
  for (const [id, li] of items) {
    const on = id === turnId;
    li.classList.toggle('current', on);
    if (on) li.setAttribute('aria-current', 'true');
    else li.removeAttribute('aria-current');
  }
}

/* ------------------------------------------------ the office's figures */

/* The figures of the turn's office (as reported by the briefing's end),
 * labelled from the schema. */
export function renderFigures(box, heading, turn, schema) {
  box.dataset.office = turn ? turn.office : '';
  if (!turn) {
    heading.textContent = text('review.office-figures');
    box.replaceChildren(el('p', text('review.choose-chapter'), 'muted'));
    return;
  }
  heading.textContent = officeName(turn);
  const f = turn.figures;
  if (!f || !f.values) {
    box.replaceChildren(el('p', text('review.no-figures'), 'muted'));
    return;
  }
  const dl = el('dl', null, 'turn-figures');
  /* Without the schema (not read yet) the figures' own names label them. */
  const fields = schema && schema.fields ? schema.fields
    : Object.keys(f.values).map((name) => ({ name, type: 'text' }));
  for (const field of fields) {
    const v = f.values[field.name];
    if (v === undefined || v === null || v === '') continue;
    /* The unit with the label, as the figures table has it: "(persons)"
     * reads right for any number, "1 persons" would not. */
    const unit = unitText(field.unit);
    const dd = el('dd', formatValue(field, v));
    dd.dataset.field = field.name;
    dl.append(el('dt', unit ? `${fieldLabel(field)} (${unit})` : fieldLabel(field)), dd);
  }
  const version = el('p', text('review.figures-version', f.version, bangkokTime(f.received_at)), 'muted small');
  box.replaceChildren(dl, version);
}

/* ------------------------------------------------------------ roll call */

export function renderAttendance(tbody, attendance) {
  const rows = (attendance || []).map((a) => {
    const tr = el('tr');
    tr.dataset.office = a.office;
    tr.dataset.status = a.status;
    const left = (a.intervals || []).filter((i) => i.left_at).length;
    tr.append(
      el('td', officeName(a)),
      el('td', regionName(a.region)),
      el('td', attendanceText(a.status), 'att-status'),
      el('td', a.first_joined_at ? bangkokTime(a.first_joined_at) : '–'),
      el('td', clockText((a.present_s || 0) * 1000), 'num'),
      el('td', String(left), 'num'),
    );
    return tr;
  });
  tbody.replaceChildren(...rows);
}
