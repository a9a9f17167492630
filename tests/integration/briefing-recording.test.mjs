// The briefing's recording, against the real relay with webrtcbin offices,
// checked with readers that are not ours (ffprobe/ffmpeg from Debian, and
// Chromium's player): files served with byte ranges, signed links, the
// chapters, the report, a section exported at a key frame; a SIGKILL loses
// at most about a second and the briefing is marked interrupted; a folder
// the relay cannot write stops the recording, not the briefing; retention
// deletes the oldest briefing first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, request, waitFor } from '../../tools/lib/relay.mjs';
import { startPublisher } from '../../tools/lib/publisher.mjs';
import { openEvents } from '../../tools/lib/events.mjs';
import { getBrowser, closeBrowser, collectDiagnostics } from '../../tools/lib/browser.mjs';

const CHAIR = 'chair-token-recording';
const VIEWER = 'viewer-token-recording';
const OFFICES = { 'TH-50': 'tok50-recording', 'TH-51': 'tok51-recording' };

test.after(closeBrowser);

function relayFor(extra = {}, relayGroup = {}) {
  return startRelay({
    provinces: OFFICES,
    extraConfig: {
      'viewer chair': { role: 'chair', token: CHAIR },
      'viewer wall': { role: 'viewer', token: VIEWER },
      ...(Object.keys(relayGroup).length ? { relay: relayGroup } : {}),
      ...extra,
    },
  });
}

function api(relay, p, { token = CHAIR, method = 'GET', body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  return request(new URL(p, relay.url), { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function download(relay, url, file, token) {
  const res = await fetch(new URL(url, relay.url), { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  assert.equal(res.status, 200, `GET ${url}`);
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

function ffprobeDuration(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration',
    '-of', 'default=nw=1:nk=1', file]).toString().trim();
  return Number(out);
}

/* The colour at the centre of a decoded picture `fromEnd` seconds before
 * the end, as RGB. */
function pictureColour(file, fromEnd) {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-sseof', String(-fromEnd), '-i', file, '-frames:v', '1', '-vf', 'scale=64:36',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 20 });
  const at = (18 * 64 + 32) * 3;
  return [raw[at], raw[at + 1], raw[at + 2]];
}

async function detail(relay, id, token = CHAIR) {
  const r = await api(relay, `api/v1/briefings/${id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function programRecorded(relay, id, atLeastMs) {
  return waitFor(async () => {
    const d = await detail(relay, id);
    const p = d.recordings.filter((x) => x.kind === 'program');
    const total = p.reduce((s, x) => s + x.duration_ms, 0);
    return total >= atLeastMs ? d : null;
  }, { timeoutMs: 90000, intervalMs: 500, describe: `${atLeastMs} ms of program recorded` });
}

function tmpDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-rec-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('recorded files: ranges, signed links, chapters, report, and a section exported', { timeout: 240000 }, async (t) => {
  const relay = await relayFor();
  const dir = tmpDir(t);
  const pubs = [
    startPublisher(relay, ['TH-50'], { token: OFFICES['TH-50'], videoFile: 'color-red.ivf' }),
    startPublisher(relay, ['TH-51'], { token: OFFICES['TH-51'], videoFile: 'color-blue.ivf' }),
  ];
  const ev = await openEvents(relay);
  t.after(async () => {
    ev.close();
    await Promise.all(pubs.map((p) => p.stop()));
    await relay.stop();
    relay.cleanup();
  });
  for (const code of ['TH-50', 'TH-51']) {
    await waitFor(async () => (await api(relay, `api/v1/provinces/${code}`)).json?.state === 'live',
      { timeoutMs: 60000, describe: `${code} live` });
  }
  // TH-50 reports its figures: the report and the detail carry them.
  const sent = await api(relay, 'api/v1/reports', {
    token: OFFICES['TH-50'], method: 'POST',
    body: {
      type: 'figures', id: 'rec-test-1', date: new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10),
      values: { job_seekers: 10, job_placements: 42, layoffs: 3, establishments_closed: 0, complaints_received: 4,
        complaints_resolved: 2, workplace_accidents: 0, unemployment_rate: 2, overall_status: 'normal' },
    },
  });
  assert.equal(sent.status, 201, sent.text);
  // The provinces see the floor holder: the program shows its colour.
  await api(relay, 'api/v1/conference/layout', { method: 'PUT', body: { layout: 'spotlight' } });
  const id = (await api(relay, 'api/v1/briefings', { method: 'POST', body: { agenda: [{ office: 'TH-50' }, { office: 'TH-51' }] } })).json.id;
  await api(relay, `api/v1/briefings/${id}/next`, { method: 'POST' });
  await ev.waitFor((e) => e.type === 'turn-started' && e.turn.office === 'TH-50');
  await programRecorded(relay, id, 4000);
  await api(relay, `api/v1/briefings/${id}/next`, { method: 'POST' });
  const turn51 = (await ev.waitFor((e) => e.type === 'turn-started' && e.turn.office === 'TH-51')).turn;
  const before = (await detail(relay, id)).recordings.filter((x) => x.kind === 'program')
    .reduce((s, x) => s + x.duration_ms, 0);
  await programRecorded(relay, id, before + 6000);
  await api(relay, `api/v1/briefings/${id}/end`, { method: 'POST' });
  await ev.waitFor((e) => e.type === 'recording' && e.kind === 'program' && e.state === 'stopped');

  const d = await detail(relay, id);
  const program = d.recordings.filter((x) => x.kind === 'program');
  assert.equal(program.length, 1, JSON.stringify(program));
  const rec = program[0];
  assert.equal(rec.state, 'complete');
  assert.equal(rec.video_codec, 'h264');
  assert.equal(rec.audio_codec, 'opus');
  // The index says what the file holds: another reader agrees.
  const file = await download(relay, rec.url, path.join(dir, 'program.mp4'));
  const probed = ffprobeDuration(file);
  assert.ok(Math.abs(probed - rec.duration_ms / 1000) < 1, `ffprobe ${probed} s, index ${rec.duration_ms} ms`);
  const whole = fs.readFileSync(file);
  assert.equal(whole.length, rec.bytes);

  // Byte ranges, as a player seeking asks for them.
  const plain = rec.url.split('?')[0];
  const ranged = async (range) => {
    const res = await fetch(new URL(plain, relay.url), { headers: { Authorization: `Bearer ${VIEWER}`, Range: range } });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  };
  let r = await ranged('bytes=0-99');
  assert.equal(r.status, 206);
  assert.equal(r.headers.get('content-range'), `bytes 0-99/${whole.length}`);
  assert.ok(r.body.equals(whole.subarray(0, 100)));
  assert.equal(r.headers.get('content-type'), 'video/mp4');
  assert.equal(r.headers.get('accept-ranges'), 'bytes');
  r = await ranged('bytes=1000-1999');
  assert.equal(r.status, 206);
  assert.ok(r.body.equals(whole.subarray(1000, 2000)));
  r = await ranged('bytes=-500');
  assert.equal(r.status, 206);
  assert.ok(r.body.equals(whole.subarray(whole.length - 500)));
  r = await ranged(`bytes=${whole.length}-`);
  assert.equal(r.status, 416);
  assert.equal(r.headers.get('content-range'), `bytes */${whole.length}`);
  r = await ranged('bytes=a-');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, whole.length);

  // Signed links work without a token, not once altered, and only for what they name.
  assert.equal((await request(new URL(rec.url, relay.url))).status, 200);
  const altered = rec.url.replace(/sig=([0-9a-f])/, (m, c) => `sig=${c === '0' ? '1' : '0'}`);
  assert.equal((await request(new URL(altered, relay.url))).status, 401);
  const other = rec.url.replace(`/recordings/${rec.id}.mp4`, `/recordings/${rec.id}.webm`);
  assert.equal((await request(new URL(other, relay.url))).status, 401);
  assert.equal((await request(new URL(plain, relay.url))).status, 401);
  assert.equal((await api(relay, plain, { token: OFFICES['TH-50'] })).status, 403);
  // An office's own turn recording is its own.
  const own = d.turns.find((x) => x.office === 'TH-50').recordings[0];
  assert.equal((await api(relay, own.url.split('?')[0], { token: OFFICES['TH-50'] })).status, 200);
  assert.equal((await api(relay, own.url.split('?')[0], { token: OFFICES['TH-51'] })).status, 403);
  const ownDoc = await detail(relay, id, OFFICES['TH-50']);
  const ownLink = ownDoc.turns[0].recordings[0].url;
  assert.match(ownLink, /scope=TH-50/);
  assert.equal((await request(new URL(ownLink, relay.url))).status, 200);

  // Chapters: one per turn, on the program recording's timeline.
  const vtt = (await api(relay, `api/v1/briefings/${id}/chapters.vtt`)).text;
  assert.match(vtt, /^WEBVTT\n/);
  const cues = [...vtt.matchAll(/^turn-(\d+)\n(\d\d):(\d\d):(\d\d)\.(\d{3}) --> .*\n(.*)$/gm)];
  assert.equal(cues.length, 2, vtt);
  assert.match(cues[1][6], /^TH-51 .* \/ Lamphun$/);
  const cueStart = Number(cues[1][2]) * 3600 + Number(cues[1][3]) * 60 + Number(cues[1][4]) + Number(cues[1][5]) / 1000;
  const expected = (Date.parse(turn51.started_at) - Date.parse(rec.started_at)) / 1000;
  assert.ok(Math.abs(cueStart - expected) < 0.01, `cue ${cueStart}, turn ${expected}`);

  // The report.
  const csv = await api(relay, `api/v1/briefings/${id}/report.csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const csvBytes = Buffer.from(await (await fetch(new URL(`api/v1/briefings/${id}/report.csv`, relay.url),
    { headers: { Authorization: `Bearer ${CHAIR}` } })).arrayBuffer());
  assert.ok(csvBytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'a byte order mark for Excel');
  assert.ok(csv.text.startsWith('date,province,name_th,name_en,region,version,received_at,attendance,first_joined_at,present_min,turns,speaking_s,first_turn_at,'));
  const rows = csv.text.trim().split('\r\n');
  const row50 = rows.find((x) => x.split(',')[1] === 'TH-50').split(',');
  assert.deepEqual([row50[7], row50[10]], ['present', '1']);
  const header = rows[0].replace('\uFEFF', '').split(',');
  assert.equal(row50[header.indexOf('job_placements')], '42');
  assert.equal(rows.at(-1).split(',')[header.indexOf('job_placements')], '42');
  assert.equal(d.turns.find((x) => x.office === 'TH-50').figures.values.job_placements, 42);
  assert.equal(d.figures.totals.national.values.job_placements, 42);
  assert.ok(rows.some((x) => x.split(',')[1] === 'TH-north'), 'a regional total');
  assert.equal(rows.at(-1).split(',')[1], 'TH');

  // A section from TH-51's chapter: it starts on a key frame at or before
  // the chapter (so it may open on the last moments of TH-50), shows TH-51
  // (blue) by its end, and lasts the request give or take a key-frame
  // interval (2 s) and a fragment (1.2 s).
  const exportUrl = `${d.export_url}&start=${cueStart.toFixed(3)}&duration=3`;
  const res = await fetch(new URL(exportUrl, relay.url));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition'), /attachment/);
  const exported = path.join(dir, 'export.mp4');
  fs.writeFileSync(exported, Buffer.from(await res.arrayBuffer()));
  const length = ffprobeDuration(exported);
  assert.ok(length >= 2.9 && length <= 3 + 2 + 1.3, `export of 3 s lasts ${length} s`);
  const keyflag = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries',
    'frame=key_frame', '-read_intervals', '%+#1', '-of', 'csv=p=0', exported]).toString().trim();
  assert.equal(keyflag.split('\n')[0], '1');
  const colour = pictureColour(exported, 0.5);
  assert.ok(colour[2] > 150 && colour[0] < 100, `TH-51 is blue; the export ends with rgb ${colour}`);
  // Bad requests.
  for (const q of ['', '&start=1', '&start=-1&duration=3', '&start=1&duration=0', '&start=x&duration=1',
    '&start=1&duration=999999']) {
    const bad = await request(new URL(`${d.export_url}${q}`, relay.url));
    assert.equal(bad.status, 400, q);
  }
  const past = await request(new URL(`${d.export_url}&start=99999&duration=1`, relay.url));
  assert.equal(past.status, 416);
});

test('a SIGKILL loses at most about a second; the briefing is interrupted, its recording plays', { timeout: 240000 }, async (t) => {
  const first = await relayFor();
  const dataDir = first.dataDir;
  const pub = startPublisher(first, ['TH-50'], { token: OFFICES['TH-50'] });
  let second;
  t.after(async () => {
    await pub.stop();
    if (second) await second.stop();
    first.cleanup();
  });
  await waitFor(async () => (await api(first, 'api/v1/provinces/TH-50')).json?.state === 'live',
    { timeoutMs: 60000, describe: 'TH-50 live' });
  const id = (await api(first, 'api/v1/briefings', { method: 'POST' })).json.id;
  const d = await programRecorded(first, id, 6000);
  const rec = d.recordings.find((x) => x.kind === 'program');
  // The moment of the kill, on the wall clock the recording is indexed by.
  const killedAt = Date.now();
  first.process.kill('SIGKILL');
  await new Promise((resolve) => first.process.once('exit', resolve));

  second = await startRelay({
    provinces: OFFICES,
    extraConfig: {
      'viewer chair': { role: 'chair', token: CHAIR },
      relay: { 'data-dir': dataDir },
    },
  });
  const after = await detail(second, id);
  assert.equal(after.state, 'interrupted');
  const program = after.recordings.find((x) => x.id === rec.id);
  assert.equal(program.state, 'interrupted');
  const file = path.join(dataDir, 'recordings', String(id), 'program-000.mp4');
  const probed = ffprobeDuration(file);
  const wall = (killedAt - Date.parse(program.started_at)) / 1000;
  assert.ok(wall - probed <= 1.5 && probed <= wall + 0.5,
    `recorded ${probed} s of the ${wall} s before the kill`);
  assert.ok(Math.abs(program.duration_ms / 1000 - probed) < 0.5, 'the repaired index agrees with the file');
  assert.ok(Date.parse(after.ended_at) >= Date.parse(program.started_at) + program.duration_ms - 1);
  // A new briefing can start.
  const next = await api(second, 'api/v1/briefings', { method: 'POST' });
  assert.equal(next.status, 201, next.text);
  await api(second, `api/v1/briefings/${next.json.id}/end`, { method: 'POST' });

  // Chromium plays it and seeks in it.
  const browser = await getBrowser();
  const page = await browser.newPage();
  const diag = collectDiagnostics(page);
  t.after(() => page.close());
  await page.goto(new URL('ops.html', second.url).href);
  const src = new URL(program.url, second.url).href;
  const state = await page.evaluate(async (url) => {
    const v = document.createElement('video');
    v.muted = true;
    v.src = url;
    document.body.append(v);
    await new Promise((resolve, reject) => {
      v.onloadedmetadata = resolve;
      v.onerror = () => reject(new Error(`media error ${v.error?.code}`));
    });
    const duration = v.duration;
    v.currentTime = duration / 2;
    await new Promise((resolve) => { v.onseeked = resolve; });
    return { duration, at: v.currentTime, width: v.videoWidth };
  }, src).catch((e) => { throw new Error(`${e.message}\n${diag()}`); });
  assert.ok(Math.abs(state.duration - probed) < 1, `Chromium says ${state.duration} s`);
  assert.ok(Math.abs(state.at - state.duration / 2) < 1.5, `seeked to ${state.at}`);
  assert.equal(state.width, 1280);
});

test('a recordings folder the relay cannot write stops the recording, not the briefing', { timeout: 120000 }, async (t) => {
  const relay = await relayFor();
  // A file where the folder should be: nothing can be created under it.
  fs.writeFileSync(path.join(relay.dataDir, 'recordings'), 'not a folder');
  const pub = startPublisher(relay, ['TH-50'], { token: OFFICES['TH-50'] });
  const ev = await openEvents(relay);
  t.after(async () => {
    ev.close();
    await pub.stop();
    await relay.stop();
    relay.cleanup();
  });
  await waitFor(async () => (await api(relay, 'api/v1/provinces/TH-50')).json?.state === 'live',
    { timeoutMs: 60000, describe: 'TH-50 live' });
  const id = (await api(relay, 'api/v1/briefings', { method: 'POST', body: { agenda: [{ office: 'TH-50' }] } })).json.id;
  const failed = await ev.waitFor((e) => e.type === 'recording' && e.kind === 'program' && e.state === 'failed');
  assert.match(failed.reason, /recordings/);
  assert.match(relay.logTail(200), /recording of the program not possible/);
  // The briefing goes on: the floor moves, the program keeps being encoded.
  const frames = (await api(relay, 'api/v1/outputs')).json.program.frames;
  await api(relay, `api/v1/briefings/${id}/next`, { method: 'POST' });
  await ev.waitFor((e) => e.type === 'turn-started' && e.turn.office === 'TH-50');
  await waitFor(async () => (await api(relay, 'api/v1/outputs')).json.program.frames > frames + 30,
    { timeoutMs: 30000, describe: 'the program still encoding' });
  assert.equal((await detail(relay, id)).state, 'live');
  assert.ok((await api(relay, 'api/v1/outputs')).json.recording.failures >= 1);
  const r = await api(relay, `api/v1/briefings/${id}/end`, { method: 'POST' });
  assert.equal(r.status, 200);
});

test('retention deletes the oldest briefing first, never the live one', { timeout: 300000 }, async (t) => {
  const relay = await relayFor({ recording: { 'max-total-mb': 1 } });
  const pub = startPublisher(relay, ['TH-50'], { token: OFFICES['TH-50'] });
  t.after(async () => {
    await pub.stop();
    await relay.stop();
    relay.cleanup();
  });
  await waitFor(async () => (await api(relay, 'api/v1/provinces/TH-50')).json?.state === 'live',
    { timeoutMs: 60000, describe: 'TH-50 live' });
  // The program shows TH-50's moving picture: bytes come quickly.
  await api(relay, 'api/v1/conference/floor', { method: 'PUT', body: { province: 'TH-50' } });
  await api(relay, 'api/v1/conference/layout', { method: 'PUT', body: { layout: 'spotlight' } });
  const bytesOf = async (id) => (await detail(relay, id)).recordings.reduce((s, x) => s + x.bytes, 0);
  const record = async () => {
    const id = (await api(relay, 'api/v1/briefings', { method: 'POST' })).json.id;
    await waitFor(async () => (await bytesOf(id)) > 600 * 1024, { timeoutMs: 120000, intervalMs: 500, describe: `briefing ${id} over 600 KiB` });
    await api(relay, `api/v1/briefings/${id}/end`, { method: 'POST' });
    return id;
  };
  const ids = [await record()];
  const firstFile = (await detail(relay, ids[0])).recordings[0];
  assert.equal((await request(new URL(firstFile.url, relay.url))).status, 200);
  // Together over 1 MiB: the first goes, not the second.
  ids.push(await record());
  await waitFor(async () => (await detail(relay, ids[0])).recordings.length === 0,
    { timeoutMs: 60000, describe: 'the oldest briefing\'s files deleted' });
  assert.ok(!fs.existsSync(path.join(relay.dataDir, 'recordings', String(ids[0]))), 'its folder is gone');
  assert.ok((await detail(relay, ids[1])).recordings.length > 0, 'the second is kept');
  assert.equal((await request(new URL(firstFile.url, relay.url))).status, 404);
  const third = (await api(relay, 'api/v1/briefings', { method: 'POST' })).json.id;
  // A briefing bigger than the limit on its own is kept while live and
  // once ended, as the newest; the one before it goes.
  await waitFor(async () => (await bytesOf(third)) > 1100 * 1024, { timeoutMs: 120000, intervalMs: 500, describe: 'the live briefing over the limit' });
  await api(relay, `api/v1/briefings/${third}/end`, { method: 'POST' });
  await waitFor(async () => (await detail(relay, ids[1])).recordings.length === 0,
    { timeoutMs: 60000, describe: 'the second briefing\'s files deleted' });
  const kept = await detail(relay, third);
  assert.ok(kept.recordings.length > 0 && kept.recordings.every((x) => x.state === 'complete'));
  assert.equal((await request(new URL(kept.recordings[0].url, relay.url))).status, 200);
});
