// The active speaker (docs/API.md, Events): the loudest live participant by
// its RFC 6464 audio level becomes the `active-speaker` event on
// /api/v1/events and `active_speaker` in GET /api/v1/outputs, and goes back
// to null once nobody speaks.
//
// 1. A real browser speaking: Chromium's fake microphone plays a speech WAV
//    made here with espeak-ng, through the province page (WHIP).
// 2. Command-line publishers: whip-publish --audio-level sends the levels of
//    its canned Opus clip; the louder office wins, a quiet one never does.
//
// Needs: build/briefing-relay, build/tests/tools/whip-publish, Chromium,
// espeak-ng and gst-launch-1.0 (scripts/setup installs them), test media.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, getJson, waitFor } from './lib/relay.mjs';
import { getBrowser, closeBrowser, collectDiagnostics } from './lib/browser.mjs';
import { openEvents } from './lib/events.mjs';
import { startPublisher } from './lib/publisher.mjs';

// Stopping must end with exit status 0; how long it takes on a loaded
// machine is not what these tests are about.
const STOP_GRACE_MS = 60000;

const TIMEOUT_MS = 240000;
const SPEAKING_DBOV = -50; // docs/API.md: "above -50 dBov"

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-speaker-'));
after(async () => {
  await closeBrowser();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function run(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`${cmd} failed (${e.code === 'ENOENT' ? 'not installed: run scripts/setup' : e.message}): ` +
      `${e.stderr ?? ''}`);
  }
}

/* Loud speech, 48 kHz mono 16-bit: what Chromium's fake microphone plays
 * (in a loop). */
function speechWav() {
  const raw = path.join(tmp, 'speech-22k.wav');
  const wav = path.join(tmp, 'speech.wav');
  if (!fs.existsSync(wav)) {
    run('espeak-ng', ['-a', '200', '-s', '150', '-w', raw,
      'Good morning minister. This is the Chiang Mai provincial labour office. ' +
      'Today we have one hundred and twenty job seekers and forty five placements.']);
    run('gst-launch-1.0', ['-q', 'filesrc', `location=${raw}`, '!', 'wavparse', '!', 'audioconvert', '!',
      'audioresample', '!', 'audio/x-raw,rate=48000,channels=1,format=S16LE', '!', 'wavenc', '!',
      'filesink', `location=${wav}`]);
  }
  return wav;
}

/* A 10 s Opus tone at `volume` of full scale (20 ms frames, as the canned
 * clips of scripts/make-test-media). */
function toneOgg(name, freq, volume) {
  const file = path.join(tmp, name);
  run('gst-launch-1.0', ['-q', 'audiotestsrc', 'wave=sine', `freq=${freq}`, `volume=${volume}`,
    'samplesperbuffer=960', 'num-buffers=500', '!', 'audio/x-raw,format=S16LE,rate=48000,channels=2', '!',
    'opusenc', 'bitrate=32000', 'frame-size=20', '!', 'oggmux', '!', 'filesink', `location=${file}`]);
  return file;
}

const outputs = (relay) => getJson(`${relay.url}api/v1/outputs`);
const province = (relay, code) => getJson(`${relay.url}api/v1/provinces/${code}`);

async function withRelay(provinces, fn) {
  const relay = await startRelay({ provinces, stopGraceMs: STOP_GRACE_MS });
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

test('a Chromium office speaking becomes the active speaker, and null once it stops',
  { timeout: TIMEOUT_MS }, async () => {
    const browser = await getBrowser({
      extraArgs: [`--use-file-for-fake-audio-capture=${speechWav()}`],
    });
    await withRelay({ 'TH-50': 'th50-speaker-token' }, async (relay, events) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const diagnostics = collectDiagnostics(page);
      try {
        assert.equal((await outputs(relay)).active_speaker, null, 'nobody speaks before anyone publishes');
        await page.goto(`${relay.url}province.html?province=TH-50`);
        await page.fill('#token', relay.tokens['TH-50']);
        await page.click('#publish');
        const live = await waitFor(async () => {
          const s = await province(relay, 'TH-50');
          return s.state === 'live' && s.audio && s.audio.level_dbov > SPEAKING_DBOV ? s : null;
        }, { timeoutMs: 60000, describe: 'TH-50 live with a speaking level in the status API' });

        const speaker = await events.waitFor((e) => e.type === 'active-speaker', {
          timeoutMs: 60000, describe: `an active-speaker event (TH-50 status: ${JSON.stringify(live.audio)})`,
        });
        assert.equal(speaker.participant, 'TH-50');
        assert.ok(Number.isInteger(speaker.level_dbov) && speaker.level_dbov >= SPEAKING_DBOV &&
          speaker.level_dbov <= 0, `level_dbov ${speaker.level_dbov} is a speaking level`);
        await waitFor(async () => (await outputs(relay)).active_speaker === 'TH-50',
          { timeoutMs: 30000, describe: 'outputs.active_speaker TH-50' });

        // The office leaves: no fresh levels, so the speaker is released.
        const from = events.events.length;
        await context.close();
        const released = await events.waitFor((e) => e.type === 'active-speaker', {
          from, timeoutMs: 60000, describe: 'the active speaker released after TH-50 left',
        });
        assert.equal(released.participant, null);
        assert.equal(released.level_dbov, null);
        assert.equal((await outputs(relay)).active_speaker, null);
      } catch (e) {
        process.stderr.write(`page console:\n${diagnostics()}\n`);
        throw e;
      } finally {
        await context.close().catch(() => {});
      }
    });
  });

test('whip-publish --audio-level: the louder office is the speaker, a quiet one never is',
  { timeout: TIMEOUT_MS }, async () => {
    const loud = toneOgg('loud.ogg', 440, 0.8); // about -5 dBov
    const medium = toneOgg('medium.ogg', 660, 0.05); // about -29 dBov
    const quiet = toneOgg('quiet.ogg', 880, 0.0005); // about -69 dBov: silence
    await withRelay({ 'TH-50': 'th50-speaker-token', 'TH-11': 'th11-speaker-token',
      'TH-20': 'th20-speaker-token' }, async (relay, events) => {
      const pubs = [];
      try {
        pubs.push(startPublisher(relay, ['TH-11'], { audioFile: quiet, audioLevel: true }));
        pubs.push(startPublisher(relay, ['TH-20'], { audioFile: medium, audioLevel: true }));
        pubs.push(startPublisher(relay, ['TH-50'], { audioFile: loud, audioLevel: true }));
        // The levels reach the status API as sent.
        const levels = await waitFor(async () => {
          const all = await Promise.all(['TH-50', 'TH-20', 'TH-11'].map((c) => province(relay, c)));
          return all.every((s) => s.state === 'live' && s.audio && s.audio.level_dbov > -127)
            ? all.map((s) => s.audio.level_dbov) : null;
        }, { timeoutMs: 60000, describe: 'three live offices sending audio levels' });
        const [l50, l20, l10] = levels;
        assert.ok(l50 > -10, `TH-50's loud tone is near full scale (${l50} dBov)`);
        assert.ok(l20 < l50 - 10 && l20 > SPEAKING_DBOV, `TH-20's tone is quieter but speaking (${l20} dBov)`);
        assert.ok(l10 < SPEAKING_DBOV, `TH-11's tone is below the speaking level (${l10} dBov)`);

        await waitFor(async () => (await outputs(relay)).active_speaker === 'TH-50',
          { timeoutMs: 60000, describe: 'outputs.active_speaker TH-50 (the loudest)' });
        const speakers = () => events.events.filter((e) => e.type === 'active-speaker');
        await events.waitFor((e) => e.type === 'active-speaker' && e.participant === 'TH-50',
          { timeoutMs: 30000, describe: 'an active-speaker event named TH-50' });

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
        await events.waitFor((e) => e === speakers().at(-1) && e.participant === null,
          { timeoutMs: 30000, describe: 'an active-speaker event with participant null, last' });
        assert.ok(!speakers().some((e) => e.participant === 'TH-11'), 'the quiet office never spoke');
        assert.equal((await province(relay, 'TH-11')).state, 'live', 'while it was live all along');
      } finally {
        await Promise.all(pubs.map((p) => p.kill()));
      }
    });
  });
