// The briefing as a record, against the real relay with webrtcbin offices:
// the chair starts a briefing, offices arrive (two before the start, one
// after the roll-call deadline, one never), `next` walks the agenda over
// the present offices, the chair ends it; the stored roll call, agenda and
// turns, the events and the recordings match what happened. And who may
// see and do what.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { openEvents } from '../../tools/lib/events.mjs';

const CHAIR = 'chair-token-briefing';
const MINISTER = 'minister-token-briefing';
const VIEWER = 'viewer-token-briefing';
const OFFICES = { 'TH-50': 'tok50-briefing', 'TH-51': 'tok51-briefing', 'TH-52': 'tok52-briefing',
  'TH-53': 'tok53-briefing' };

function relayWithRoles(extra = {}) {
  return startRelay({
    provinces: OFFICES,
    extraConfig: {
      'viewer chair': { role: 'chair', token: CHAIR },
      'viewer minister': { role: 'minister', token: MINISTER },
      'viewer wall': { role: 'viewer', token: VIEWER },
      ...extra,
    },
  });
}

function api(relay, path, { token = CHAIR, method = 'GET', body } = {}) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return request(new URL(path, relay.url), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function provinceState(relay, code) {
  const r = await api(relay, `api/v1/provinces/${code}`);
  return r.json?.state;
}

test('a briefing records its roll call, agenda and turns as they happened', { timeout: 180000 }, async (t) => {
  const relay = await relayWithRoles();
  const pubs = [];
  let ev;
  t.after(async () => {
    ev?.close();
    await Promise.all(pubs.map((p) => p.stop()));
    await relay.stop();
    relay.cleanup();
  });
  ev = await openEvents(relay);
  // Two offices are there before the start.
  for (const code of ['TH-50', 'TH-51']) {
    pubs.push(startPublisher(relay, [code], { token: OFFICES[code], videoFile: 'color-red.ivf' }));
  }
  await waitFor(async () => (await provinceState(relay, 'TH-50')) === 'live'
    && (await provinceState(relay, 'TH-51')) === 'live', { timeoutMs: 60000, describe: 'TH-50, TH-51 live' });

  const created = await api(relay, 'api/v1/briefings', {
    method: 'POST',
    body: {
      title: 'ศปก.รง. ทดสอบ',
      roll_call_deadline_s: 1,
      agenda: [{ office: 'TH-50' }, { office: 'TH-53' }, { office: 'TH-51', time_limit_s: 600 },
        { title: 'ข้อสั่งการ' }, { office: 'TH-52' }],
    },
  });
  assert.equal(created.status, 201, created.text);
  const id = created.json.id;
  assert.equal(created.headers.get('location'), `/api/v1/briefings/${id}`);
  assert.equal(created.json.state, 'live');
  await ev.waitFor((e) => e.type === 'briefing-started' && e.briefing.id === id);
  // A second one cannot start while it is live.
  assert.equal((await api(relay, 'api/v1/briefings', { method: 'POST' })).status, 409);

  // TH-52 arrives after the deadline has passed.
  const startedAt = Date.parse(created.json.started_at);
  await waitFor(() => Date.now() > startedAt + 1500, { timeoutMs: 10000, describe: 'the deadline' });
  pubs.push(startPublisher(relay, ['TH-52'], { token: OFFICES['TH-52'], videoFile: 'color-blue.ivf' }));
  const late = await ev.waitFor((e) => e.type === 'attendance' && e.office === 'TH-52' && e.here,
    { timeoutMs: 60000 });
  assert.equal(late.status, 'late');
  assert.equal(late.counts.late, 1);

  // next: TH-50 speaks.
  let r = await api(relay, `api/v1/briefings/${id}/next`, { method: 'POST' });
  assert.equal(r.status, 200, r.text);
  await ev.waitFor((e) => e.type === 'turn-started' && e.turn.office === 'TH-50');
  assert.equal((await api(relay, 'api/v1/conference')).json.floor, 'TH-50');
  // next: TH-53 is absent and skipped, TH-51 speaks.
  await api(relay, `api/v1/briefings/${id}/next`, { method: 'POST' });
  const ended50 = await ev.waitFor((e) => e.type === 'turn-ended' && e.turn.office === 'TH-50');
  assert.equal(ended50.turn.end_reason, 'next');
  await ev.waitFor((e) => e.type === 'turn-started' && e.turn.office === 'TH-51');
  // next: the free item takes the floor back to the central room.
  r = await api(relay, `api/v1/briefings/${id}/next`, { method: 'POST' });
  await ev.waitFor((e) => e.type === 'turn-ended' && e.turn.office === 'TH-51');
  assert.equal((await api(relay, 'api/v1/conference')).json.floor, null);
  assert.equal(r.json.agenda[3].status, 'current');
  // next: TH-52, late but present, speaks.
  await api(relay, `api/v1/briefings/${id}/next`, { method: 'POST' });
  await ev.waitFor((e) => e.type === 'turn-started' && e.turn.office === 'TH-52');
  // Its own recording starts.
  await ev.waitFor((e) => e.type === 'recording' && e.kind === 'office' && e.office === 'TH-52'
    && e.state === 'started', { timeoutMs: 60000 });

  r = await api(relay, `api/v1/briefings/${id}/end`, { method: 'POST' });
  assert.equal(r.status, 200, r.text);
  await ev.waitFor((e) => e.type === 'briefing-ended' && e.briefing.id === id);
  assert.equal((await api(relay, `api/v1/briefings/${id}/end`, { method: 'POST' })).status, 409);

  const d = (await api(relay, `api/v1/briefings/${id}`, { token: MINISTER })).json;
  assert.equal(d.state, 'ended');
  assert.equal(d.title, 'ศปก.รง. ทดสอบ');
  const att = Object.fromEntries(d.attendance.map((a) => [a.office, a]));
  assert.equal(att['TH-50'].status, 'present');
  assert.equal(att['TH-51'].status, 'present');
  assert.equal(att['TH-52'].status, 'late');
  assert.equal(att['TH-53'].status, 'absent');
  assert.equal(att['TH-53'].intervals.length, 0);
  // Ended: nobody is "here" any more, everybody left with the end.
  assert.equal(att['TH-50'].here, false);
  assert.equal(att['TH-50'].intervals.at(-1).left_state, 'ended');
  assert.deepEqual({ present: d.counts.present, late: d.counts.late }, { present: 2, late: 1 });
  assert.equal(d.counts.absent, d.counts.expected - 3);
  assert.deepEqual(d.agenda.map((a) => a.status), ['done', 'skipped', 'done', 'done', 'done']);
  assert.deepEqual(d.turns.map((x) => [x.office, x.agenda_position, x.end_reason]),
    [['TH-50', 0, 'next'], ['TH-51', 2, 'next'], ['TH-52', 4, 'ended']]);
  assert.equal(d.turns[1].time_limit_s, 600);
  for (const turn of d.turns) {
    assert.ok(Date.parse(turn.ended_at) >= Date.parse(turn.started_at));
  }
  // The program was recorded, and each speaking office's own streams (VP8:
  // WebM) for its turn.
  const program = d.recordings.filter((x) => x.kind === 'program');
  assert.ok(program.length >= 1, JSON.stringify(d.recordings));
  assert.ok(program.every((x) => x.state === 'complete' && x.container === 'mp4'), JSON.stringify(program));
  const own = d.turns.find((x) => x.office === 'TH-52').recordings;
  assert.equal(own.length, 1, JSON.stringify(d.turns));
  assert.equal(own[0].container, 'webm');
  assert.equal(own[0].content_type, 'video/webm');
  assert.equal(own[0].state, 'complete');
  assert.deepEqual([own[0].width, own[0].height], [640, 360]);

  // The list shows it with its counts.
  const list = (await api(relay, `api/v1/briefings?from=${d.date}&to=${d.date}`, { token: VIEWER })).json;
  const line = list.briefings.find((b) => b.id === id);
  assert.equal(line.turns, 3);
  assert.equal(line.counts.late, 1);
});

test('the agenda: pending items replaced, history kept; a planned briefing starts later', { timeout: 240000 }, async (t) => {
  const relay = await relayWithRoles();
  t.after(async () => {
    await relay.stop();
    relay.cleanup();
  });
  const planned = await api(relay, 'api/v1/briefings', { method: 'POST', body: { plan: true, agenda: [{ office: 'TH-50' }] } });
  assert.equal(planned.status, 201, planned.text);
  assert.equal(planned.json.state, 'planned');
  const id = planned.json.id;
  let r = await api(relay, `api/v1/briefings/${id}/agenda`, {
    method: 'PUT', body: { items: [{ title: 'เปิดประชุม' }, { office: 'TH-51' }, { office: 'TH-50' }] },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.agenda.map((a) => a.office ?? a.title), ['เปิดประชุม', 'TH-51', 'TH-50']);
  // An office cannot see a planned briefing.
  assert.equal((await api(relay, `api/v1/briefings/${id}`, { token: OFFICES['TH-50'] })).status, 404);
  assert.equal((await api(relay, `api/v1/briefings/${id}/next`, { method: 'POST' })).status, 409);
  r = await api(relay, `api/v1/briefings/${id}/start`, { method: 'POST' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'live');
  assert.equal((await api(relay, `api/v1/briefings/${id}/start`, { method: 'POST' })).status, 409);
  // The free item becomes current; then the pending part is replaced.
  r = await api(relay, `api/v1/briefings/${id}/next`, { method: 'POST' });
  assert.equal(r.json.current_position, 0);
  r = await api(relay, `api/v1/briefings/${id}/agenda`, {
    method: 'PUT', body: { items: [{ office: 'TH-52', time_limit_s: 90 }] },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.agenda.map((a) => [a.office ?? a.title, a.status]),
    [['เปิดประชุม', 'current'], ['TH-52', 'pending']]);
  assert.equal(r.json.agenda[1].time_limit_s, 90);

  // Bad agendas are refused with the member at fault, and change nothing.
  for (const [body, what] of [
    [{ items: [{ office: 'TH-99' }] }, 'office'],
    [{ items: [{ office: 'TH-50', title: 'x' }] }, 'not both'],
    [{ items: [{}] }, 'needs'],
    [{ items: [{ title: '' }] }, 'title'],
    [{ items: [{ title: 'a\u0007b' }] }, 'control'],
    [{ items: [{ office: 'TH-50', time_limit_s: -1 }] }, 'time_limit_s'],
    [{ items: [{ office: 'TH-50', extra: 1 }] }, 'unknown member'],
    [{ items: 'TH-50' }, 'array'],
    [{ items: Array.from({ length: 300 }, () => ({ office: 'TH-50' })) }, 'at most'],
    [{ list: [] }, 'unknown member'],
  ]) {
    const bad = await api(relay, `api/v1/briefings/${id}/agenda`, { method: 'PUT', body });
    assert.equal(bad.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${bad.text}`);
    assert.match(bad.json.reason, new RegExp(what));
  }
  const raw = await request(new URL(`api/v1/briefings/${id}/agenda`, relay.url), {
    method: 'PUT', headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' }, body: '{"items":',
  });
  assert.equal(raw.status, 400);
  const wrongType = await request(new URL(`api/v1/briefings/${id}/agenda`, relay.url), {
    method: 'PUT', headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'text/plain' }, body: '{}',
  });
  assert.equal(wrongType.status, 415);
  const huge = await request(new URL(`api/v1/briefings/${id}/agenda`, relay.url), {
    method: 'PUT', headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: [{ title: 'x'.repeat(70000) }] }),
  });
  assert.equal(huge.status, 413);
  r = await api(relay, `api/v1/briefings/${id}`);
  assert.deepEqual(r.json.agenda.map((a) => a.office ?? a.title), ['เปิดประชุม', 'TH-52']);

  // After the end the agenda is history.
  await api(relay, `api/v1/briefings/${id}/end`, { method: 'POST' });
  r = await api(relay, `api/v1/briefings/${id}/agenda`, { method: 'PUT', body: { items: [] } });
  assert.equal(r.status, 409);
});

test('who may see and run a briefing', { timeout: 240000 }, async (t) => {
  const relay = await relayWithRoles();
  t.after(async () => {
    await relay.stop();
    relay.cleanup();
  });
  const id = (await api(relay, 'api/v1/briefings', { method: 'POST', body: { agenda: [{ office: 'TH-50' }] } })).json.id;
  const cases = [
    // [method, path, token, status]
    ['GET', 'api/v1/briefings', null, 401],
    ['GET', 'api/v1/briefings', 'not-a-token-at-all', 401],
    ['GET', 'api/v1/briefings', OFFICES['TH-50'], 200],
    ['GET', 'api/v1/briefings/live', VIEWER, 200],
    ['GET', `api/v1/briefings/${id}`, OFFICES['TH-51'], 200],
    ['GET', `api/v1/briefings/${id}/report.csv`, OFFICES['TH-50'], 403],
    ['GET', `api/v1/briefings/${id}/report.csv`, VIEWER, 200],
    ['GET', `api/v1/briefings/${id}/chapters.vtt`, OFFICES['TH-50'], 403],
    ['GET', `api/v1/briefings/${id}/chapters.vtt`, null, 401],
    ['GET', `api/v1/briefings/${id}/chapters.vtt`, MINISTER, 200],
    ['POST', 'api/v1/briefings', MINISTER, 403],
    ['POST', 'api/v1/briefings', OFFICES['TH-50'], 403],
    ['POST', `api/v1/briefings/${id}/next`, VIEWER, 403],
    ['POST', `api/v1/briefings/${id}/next`, null, 401],
    ['POST', `api/v1/briefings/${id}/end`, MINISTER, 403],
    ['PUT', `api/v1/briefings/${id}/agenda`, OFFICES['TH-50'], 403],
    ['GET', `api/v1/briefings/${id + 1000}`, CHAIR, 404],
    ['GET', 'api/v1/briefings/abc', CHAIR, 404],
    ['GET', `api/v1/briefings/${id}/nothing`, CHAIR, 404],
    ['DELETE', `api/v1/briefings/${id}`, CHAIR, 405],
    ['GET', `api/v1/briefings/${id}/next`, CHAIR, 405],
    ['GET', 'api/v1/briefings?from=2026-13-01', CHAIR, 400],
    ['GET', 'api/v1/briefings?limit=0', CHAIR, 400],
  ];
  for (const [method, path, token, status] of cases) {
    const r = await api(relay, path, { method, token, body: method === 'PUT' ? { items: [] } : undefined });
    assert.equal(r.status, status, `${method} ${path} with ${token ?? 'no token'}: ${r.text.slice(0, 200)}`);
    if (status >= 400) assert.ok(r.json?.error && r.json?.reason, `${method} ${path}: error and reason`);
  }
  // An office sees only its own line of the roll call, and no program.
  const own = (await api(relay, `api/v1/briefings/${id}`, { token: OFFICES['TH-51'] })).json;
  assert.deepEqual(own.attendance.map((a) => a.office), ['TH-51']);
  assert.ok(own.recordings.every((x) => x.kind === 'office' && x.office === 'TH-51'));
  assert.equal(own.figures, undefined);
  assert.equal(own.export_url, undefined);
  const all = (await api(relay, `api/v1/briefings/${id}`, { token: VIEWER })).json;
  assert.equal(all.attendance.length, all.counts.expected);
  await api(relay, `api/v1/briefings/${id}/end`, { method: 'POST' });
});
