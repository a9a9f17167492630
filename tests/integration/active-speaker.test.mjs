// The active speaker (docs/API.md, Events): the loudest live participant
// becomes the `active-speaker` event on /api/v1/events and `active_speaker`
// in GET /api/v1/outputs, and goes back to null once nobody speaks. Its
// level is the RFC 6464 one a publisher sends, or, for a member of the
// conference mix that sends none, the level of its decoded audio.
//
// 1. A real browser speaking: Chromium's fake microphone plays the speech
//    WAV tools/make-test-media made with espeak-ng, through the province
//    page (WHIP); a silent office beside it never becomes the speaker.
// 2. Command-line publishers with RFC 6464 levels (whip-publish
//    --audio-level): the loud speech clip wins over a quieter tone, a quiet
//    office never does.
// 3. Publishers without levels: an unmuted office's decoded speech makes it
//    the speaker (level_source "decoded"); a muted one, not decoded, and a
//    quiet member never are.
//
// Needs: build/briefing-relay, build/tools/whip-publish, Chromium,
// espeak-ng and gst-launch-1.0 (scripts/setup installs them), test media
// (tools/make-test-media var/test-media).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, request, waitFor } from '../../tools/lib/relay.mjs';
import { getBrowser, closeBrowser, collectDiagnostics } from '../../tools/lib/browser.mjs';
import { openEvents } from '../../tools/lib/events.mjs';
import { startPublisher, MEDIA_DIR } from '../../tools/lib/publisher.mjs';

// Stopping must end with exit status 0; how long it takes on a loaded
// machine is not what these tests are about.
const STOP_GRACE_MS = 60000;

const TIMEOUT_MS = 240000;
const SPEAKING_DBOV = -50; // docs/API.md: "at or above -50 dBov"
const CHAIR = 'chair-token-for-speaker-tests';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-speaker-'));
const SHOTS = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-speaker-shots-'));
after(async () => {
  await closeBrowser();
  fs.rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`active-speaker: screenshots in ${SHOTS}\n`);
});

function run(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`${cmd} failed (${e.code === 'ENOENT' ? 'not installed: run scripts/setup' : e.message}): ` +
      `${e.stderr ?? ''}`);
  }
}

function media(name) {
  const file = path.join(MEDIA_DIR, name);
  if (!fs.existsSync(file)) throw new Error(`missing ${file}: run tools/make-test-media ${MEDIA_DIR}`);
  return file;
}

/* A 10 s Opus tone at `volume` of full scale (20 ms frames, as the canned
 * clips of tools/make-test-media). */
function toneOgg(name, freq, volume) {
  const file = path.join(tmp, name);
  if (!fs.existsSync(file)) {
    run('gst-launch-1.0', ['-q', 'audiotestsrc', 'wave=sine', `freq=${freq}`, `volume=${volume}`,
      'samplesperbuffer=960', 'num-buffers=500', '!', 'audio/x-raw,format=S16LE,rate=48000,channels=2', '!',
      'opusenc', 'bitrate=32000', 'frame-size=20', '!', 'oggmux', '!', 'filesink', `location=${file}`]);
  }
  return file;
}

const outputs = (relay) => getJson(`${relay.url}api/v1/outputs`);
const province = (relay, code) => getJson(`${relay.url}api/v1/provinces/${code}`);

async function unmute(relay, code, muted = false) {
  const r = await request(`${relay.url}api/v1/conference/participants/${code}`, {
    method: 'PUT', headers: { Authorization: `Bearer ${CHAIR}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ muted }),
  });
  assert.ok(r.status === 200 || r.status === 204, `PUT participants/${code}: ${r.status} ${r.text}`);
}

async function withRelay(provinces, fn) {
  const relay = await startRelay({
    provinces, stopGraceMs: STOP_GRACE_MS,
    extraConfig: { 'viewer chair': { role: 'chair', token: CHAIR } },
  });
  let events = null;
  try {
    events = await openEvents(relay);
    await fn(relay, events);
  } catch (e) {
    relay.dumpLog();
    throw e;
  } finally {
    events?.close();
    await relay.stop();
  }
  relay.cleanup();
}

const speakerEvents = (events) => events.events.filter((e) => e.type === 'active-speaker');

async function live(relay, codes) {
  await waitFor(async () => {
    const all = await Promise.all(codes.map((c) => province(relay, c)));
    return all.every((s) => s.state === 'live' && s.audio) ? all : null;
  }, { timeoutMs: 60000, describe: `${codes.join(', ')} live with audio` });
}

test('a Chromium office speaking becomes the active speaker, a silent one never, and null once it stops',
  { timeout: TIMEOUT_MS }, async () => {
    const browser = await getBrowser({
      extraArgs: [`--use-file-for-fake-audio-capture=${media('speech-48k.wav')}`],
    });
    const silent = toneOgg('silent.ogg', 880, 0.0005); // about -69 dBov
    await withRelay({ 'TH-50': 'th50-speaker-token', 'TH-11': 'th11-speaker-token' }, async (relay, events) => {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      const diagnostics = collectDiagnostics(page);
      const quiet = startPublisher(relay, ['TH-11'], { audioFile: silent, audioLevel: true });
      try {
        assert.equal((await outputs(relay)).active_speaker, null, 'nobody speaks before anyone publishes');
        await page.goto(`${relay.url}province.html?province=TH-50`);
        await page.fill('#token', relay.tokens['TH-50']);
        await page.click('#publish');
        const levels = await waitFor(async () => {
          const [s50, s11] = await Promise.all([province(relay, 'TH-50'), province(relay, 'TH-11')]);
          return s50.state === 'live' && s50.audio?.level_dbov > SPEAKING_DBOV &&
            s11.state === 'live' && s11.audio?.level_dbov > -127 ? [s50.audio, s11.audio] : null;
        }, { timeoutMs: 60000, describe: 'TH-50 live and speaking, TH-11 live and quiet, in the status API' });
        assert.ok(levels[1].level_dbov < SPEAKING_DBOV, `TH-11 is silent (${levels[1].level_dbov} dBov)`);

        const speaker = await events.waitFor((e) => e.type === 'active-speaker', {
          timeoutMs: 60000, describe: `an active-speaker event (TH-50 status: ${JSON.stringify(levels[0])})`,
        });
        assert.equal(speaker.participant, 'TH-50');
        assert.equal(speaker.level_source, 'rtp', 'Chromium sends RFC 6464 levels');
        assert.ok(Number.isInteger(speaker.level_dbov) && speaker.level_dbov >= SPEAKING_DBOV &&
          speaker.level_dbov <= 0, `level_dbov ${speaker.level_dbov} is a speaking level`);
        await waitFor(async () => (await outputs(relay)).active_speaker === 'TH-50',
          { timeoutMs: 30000, describe: 'outputs.active_speaker TH-50' });
        await page.screenshot({ path: path.join(SHOTS, 'province-speaking-1366x768.png') });

        // The office leaves: no fresh levels, so the speaker is released,
        // and the silent office left live does not take over.
        const from = events.events.length;
        await context.close();
        const released = await events.waitFor((e) => e.type === 'active-speaker', {
          from, timeoutMs: 60000, describe: 'the active speaker released after TH-50 left',
        });
        assert.equal(released.participant, null);
        assert.equal(released.level_dbov, null);
        assert.equal(released.level_source, null);
        assert.equal((await outputs(relay)).active_speaker, null);
        assert.ok(!speakerEvents(events).some((e) => e.participant === 'TH-11'), 'the silent office never spoke');
        assert.equal((await province(relay, 'TH-11')).state, 'live', 'while it was live all along');
      } catch (e) {
        process.stderr.write(`page console:\n${diagnostics()}\n`);
        throw e;
      } finally {
        await context.close().catch(() => {});
        await quiet.kill();
      }
    });
  });

test('whip-publish --audio-level: the loud speech is the speaker over a quieter tone, a quiet office never is',
  { timeout: TIMEOUT_MS }, async () => {
    const medium = toneOgg('medium.ogg', 660, 0.05); // about -29 dBov
    const quiet = toneOgg('quiet.ogg', 880, 0.0005); // about -69 dBov: silence
    await withRelay({ 'TH-50': 'th50-speaker-token', 'TH-11': 'th11-speaker-token',
      'TH-20': 'th20-speaker-token' }, async (relay, events) => {
      const pubs = [];
      try {
        pubs.push(startPublisher(relay, ['TH-11'], { audioFile: quiet, audioLevel: true }));
        pubs.push(startPublisher(relay, ['TH-20'], { audioFile: medium, audioLevel: true }));
        pubs.push(startPublisher(relay, ['TH-50'], { audioFile: media('opus-speech.ogg'), audioLevel: true }));
        // The levels reach the status API as sent; the speech's vary with
        // the words, so its loudest seen is what is compared.
        let loudest50 = -127;
        const levels = await waitFor(async () => {
          const all = await Promise.all(['TH-50', 'TH-20', 'TH-11'].map((c) => province(relay, c)));
          if (!all.every((s) => s.state === 'live' && s.audio && s.audio.level_dbov > -127)) return null;
          loudest50 = Math.max(loudest50, all[0].audio.level_dbov);
          return loudest50 > -25 ? all.map((s) => s.audio.level_dbov) : null;
        }, { timeoutMs: 60000, describe: 'three live offices sending audio levels, TH-50 speaking loudly' });
        const [, l20, l11] = levels;
        assert.ok(l20 < loudest50 - 6 && l20 > SPEAKING_DBOV, `TH-20's tone is quieter but speaking (${l20} dBov)`);
        assert.ok(l11 < SPEAKING_DBOV, `TH-11's tone is below the speaking level (${l11} dBov)`);

        await waitFor(async () => (await outputs(relay)).active_speaker === 'TH-50',
          { timeoutMs: 60000, describe: 'outputs.active_speaker TH-50 (the loudest)' });
        const e50 = await events.waitFor((e) => e.type === 'active-speaker' && e.participant === 'TH-50',
          { timeoutMs: 30000, describe: 'an active-speaker event named TH-50' });
        assert.equal(e50.level_source, 'rtp');

        // The loudest leaves: the next loudest takes over, never the quiet one.
        await pubs[2].kill();
        await waitFor(async () => (await outputs(relay)).active_speaker === 'TH-20',
          { timeoutMs: 60000, describe: 'outputs.active_speaker TH-20 once TH-50 left' });
        await events.waitFor((e) => e.type === 'active-speaker' && e.participant === 'TH-20',
          { timeoutMs: 30000, describe: 'an active-speaker event named TH-20' });

        await pubs[1].kill();
        await waitFor(async () => (await outputs(relay)).active_speaker === null,
          { timeoutMs: 60000, describe: 'no active speaker once only the quiet office is left' });
        // The event follows the status (the stream may lag the HTTP look).
        await events.waitFor((e) => e === speakerEvents(events).at(-1) && e.participant === null,
          { timeoutMs: 30000, describe: 'an active-speaker event with participant null, last' });
        assert.ok(!speakerEvents(events).some((e) => e.participant === 'TH-11'), 'the quiet office never spoke');
        assert.equal((await province(relay, 'TH-11')).state, 'live', 'while it was live all along');
      } finally {
        await Promise.all(pubs.map((p) => p.kill()));
      }
    });
  });

test('without RFC 6464 levels: a member of the mix speaking is the speaker by its decoded audio, a muted one never',
  { timeout: TIMEOUT_MS }, async () => {
    const quiet = toneOgg('quiet.ogg', 880, 0.0005);
    await withRelay({ 'TH-50': 'th50-speaker-token', 'TH-11': 'th11-speaker-token',
      'TH-20': 'th20-speaker-token' }, async (relay, events) => {
      const speech = media('opus-speech.ogg');
      const pubs = [
        startPublisher(relay, ['TH-50'], { audioFile: speech }),
        startPublisher(relay, ['TH-20'], { audioFile: speech }),
        startPublisher(relay, ['TH-11'], { audioFile: quiet }),
      ];
      try {
        await live(relay, ['TH-50', 'TH-20', 'TH-11']);
        // No levels in their packets: the status shows none.
        for (const code of ['TH-50', 'TH-20', 'TH-11']) {
          assert.equal((await province(relay, code)).audio.level_dbov, -127, `${code} sends no RFC 6464 level`);
        }
        // Speaking into a muted microphone: not decoded, not the speaker.
        // Packets of both speaking offices arrive all along; the relay must
        // not make either the speaker from what it does not decode.
        await waitFor(async () => {
          const st = await getJson(`${relay.url}api/v1/provinces/TH-50`, { token: CHAIR });
          return st.audio.packets_received >= 250 ? st : null;
        }, { timeoutMs: 60000, describe: 'five seconds of TH-50\'s audio received while muted' });
        assert.equal((await outputs(relay)).active_speaker, null, 'nobody is the speaker while everyone is muted');

        // TH-50 and the quiet TH-11 join the mix; TH-20 stays muted.
        await unmute(relay, 'TH-50');
        await unmute(relay, 'TH-11');
        const e50 = await events.waitFor((e) => e.type === 'active-speaker' && e.participant === 'TH-50',
          { timeoutMs: 60000, describe: 'an active-speaker event named TH-50 once it is in the mix' });
        assert.equal(e50.level_source, 'decoded');
        assert.ok(e50.level_dbov >= SPEAKING_DBOV && e50.level_dbov <= 0, `a speaking level (${e50.level_dbov})`);
        assert.equal((await outputs(relay)).active_speaker, 'TH-50');

        // Out of the mix again: no longer decoded, so released, and neither
        // the muted speaker nor the quiet member takes over.
        const from = events.events.length;
        await unmute(relay, 'TH-50', true);
        const released = await events.waitFor((e) => e.type === 'active-speaker', {
          from, timeoutMs: 60000, describe: 'the active speaker released once TH-50 was muted',
        });
        assert.equal(released.participant, null);
        assert.ok(!speakerEvents(events).some((e) => e.participant === 'TH-20' || e.participant === 'TH-11'),
          `only TH-50 ever spoke: ${JSON.stringify(speakerEvents(events))}`);
      } finally {
        await Promise.all(pubs.map((p) => p.kill()));
      }
    });
  });
