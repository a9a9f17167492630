// Integration harness: start build/briefing-relay on a free port with its own
// temporary config and data directory, and stop it checking it exited cleanly.
//
//   const relay = await startRelay({ provinces: { 'TH-50': 'tok50' } });
//   ... relay.url ('http://127.0.0.1:PORT/'), relay.tokens['TH-50'] ...
//   ... getJson(`${relay.url}api/v1/provinces`, { token: relay.viewerToken })
//   await relay.stop();          // SIGTERM; throws unless exit status 0
//   await relay.stop({ signal: 'SIGINT' });   // as Ctrl-C in a terminal
//
// Environment:
//   BRIEFING_RELAY      path to the relay binary (default <repo>/build/briefing-relay)
//   BRIEFING_KEEP_TMP=1 keep the temp dir even when the test passed

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { getJson, request, waitFor, sleep } from './http.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RELAY_BIN = process.env.BRIEFING_RELAY
  ? path.resolve(process.env.BRIEFING_RELAY)
  : path.join(REPO_ROOT, 'build', 'briefing-relay');

const LISTEN_RE = /briefing-relay: listening on (https?:\/\/\S+)/;
// Bounds for a relay that hangs, not speeds: an ASan build on a loaded
// 2-core machine can take tens of seconds to start (and to check for leaks
// on its way out). They cost time only when the relay is broken.
const START_TIMEOUT_MS = 120000;
const STOP_GRACE_MS = 60000;

const running = new Set();
process.on('exit', () => {
  // Never leave a relay behind when the test process dies.
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* ignore */
    }
  }
});

function keyFileValue(v) {
  return String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/^\s/, '\\s');
}

function serializeKeyFile(sections) {
  let out = '';
  for (const [group, entries] of Object.entries(sections)) {
    out += `[${group}]\n`;
    for (const [k, v] of Object.entries(entries)) {
      if (v !== undefined && v !== null) {
        out += `${k}=${keyFileValue(v)}\n`;
      }
    }
    out += '\n';
  }
  return out;
}

/* The token of the first [viewer NAME] group of an INI text that has one
 * in clear (a token-sha256 cannot be sent), or null. */
function firstViewerToken(text) {
  let inViewer = false;
  for (const line of text.split('\n')) {
    const group = /^\s*\[(.*)\]\s*$/.exec(line);
    if (group) {
      inViewer = group[1].startsWith('viewer ');
      continue;
    }
    const token = /^\s*token\s*=\s*(.*?)\s*$/.exec(line);
    if (inViewer && token && token[1]) {
      return token[1];
    }
  }
  return null;
}

/* A viewer's token for the relay: the status API shows sessions, addresses,
 * counters and the process's figures only to the viewer roles
 * (docs/API.md, "Status"), and tests read them. The config's own viewer,
 * else the development chair the relay writes to dev-tokens.ini when the
 * config names no viewer; null when neither exists. */
function viewerTokenOf(configText, dataDir) {
  const configured = firstViewerToken(configText);
  if (configured) {
    return configured;
  }
  try {
    return firstViewerToken(fs.readFileSync(path.join(dataDir, 'dev-tokens.ini'), 'utf8'));
  } catch {
    return null;
  }
}

/* [limits] for a load generator: the simulator and the benchmarks play 76
 * offices and their viewers from one address, as fast as they are asked
 * to, which the per-address and per-office rates are there to refuse. */
export const LOAD_GENERATOR_LIMITS = {
  'address-requests-per-s': 100000, 'address-requests-burst': 100000,
  'api-requests-per-s': 100000, 'api-requests-burst': 100000,
  'session-requests-per-s': 100000, 'session-requests-burst': 100000,
  'figures-per-minute': 1000000, 'figures-burst': 100000,
};

/** Last `lines` lines of a file ('' if unreadable). */
export function tailFile(file, lines = 80) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '';
  }
}

/**
 * @param {object} opts
 * @param {Record<string,string>} opts.provinces  code -> token
 * @param {string|Record<string,Record<string,string|number>>} [opts.extraConfig]
 *        INI text appended verbatim, or {group: {key: value}} merged into the
 *        generated config (overriding the defaults).
 * @param {Record<string,string>} [opts.env] extra environment for the relay
 * @param {string[]} [opts.args] extra command line arguments
 * @param {number} [opts.stopGraceMs] how long stop() waits for the exit after
 *        SIGTERM before it kills and fails (default STOP_GRACE_MS). Stopping
 *        tears the mosaic and program pipelines down, whose threads run at
 *        a lower priority: on a loaded machine that alone can take seconds.
 */
export async function startRelay({
  provinces = {}, extraConfig = '', env = {}, args = [], stopGraceMs = STOP_GRACE_MS,
} = {}) {
  if (!fs.existsSync(RELAY_BIN)) {
    throw new Error(
      `relay binary not found at ${RELAY_BIN}: build it first ` +
      '(meson setup build && meson compile -C build) or set BRIEFING_RELAY');
  }
  try {
    fs.accessSync(RELAY_BIN, fs.constants.X_OK);
  } catch {
    throw new Error(`relay binary ${RELAY_BIN} is not executable`);
  }

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'briefing-it-'));
  const dataDir = path.join(tmpDir, 'var');
  fs.mkdirSync(dataDir);
  const configPath = path.join(tmpDir, 'relay.ini');
  const logPath = path.join(tmpDir, 'relay.log');

  const sections = {
    relay: { 'http-address': '127.0.0.1', 'http-port': 0, 'data-dir': dataDir },
    transport: { threads: 2 },
    media: {
      'video-codecs': 'VP8,H264',
      'target-bitrate-kbps': 600,
      'media-timeout-ms': 3000,
      'offline-grace-s': 30,
    },
  };
  for (const [code, token] of Object.entries(provinces)) {
    sections[`province ${code}`] = { token };
  }
  let extraText = '';
  if (typeof extraConfig === 'string') {
    extraText = extraConfig;
  } else if (extraConfig && typeof extraConfig === 'object') {
    for (const [group, entries] of Object.entries(extraConfig)) {
      sections[group] = { ...(sections[group] || {}), ...entries };
    }
  }
  let configText = serializeKeyFile(sections);
  if (extraText) {
    configText += `${extraText.trimEnd()}\n`;
  }
  fs.writeFileSync(configPath, configText);

  const log = fs.openSync(logPath, 'a');
  const writeLog = (chunk) => {
    try {
      fs.writeSync(log, chunk);
    } catch {
      /* ignore */
    }
  };
  writeLog(`# ${new Date().toISOString()} ${RELAY_BIN} --config ${configPath} ${args.join(' ')}\n`);

  const child = spawn(RELAY_BIN, ['--config', configPath, ...args], {
    cwd: tmpDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);

  let exitInfo = null; // {code, signal}
  let spawnError = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      running.delete(child);
      writeLog(`# relay exited: code=${code} signal=${signal}\n`);
      resolve(exitInfo);
    });
    child.once('error', (e) => {
      // spawn failure: 'exit' may never come.
      spawnError = e;
      if (exitInfo === null && child.pid === undefined) {
        exitInfo = { code: null, signal: null };
        running.delete(child);
        writeLog(`# relay failed to start: ${e.message}\n`);
        resolve(exitInfo);
      }
    });
  });
  // Close the log once the process is gone and both pipes are drained.
  const pipesClosed = Promise.all([
    exited,
    new Promise((r) => child.stdout.once('close', r)),
    new Promise((r) => child.stderr.once('close', r)),
  ]).then(() => {
    try {
      fs.closeSync(log);
    } catch {
      /* ignore */
    }
  });

  const relay = {
    url: null,
    tokens: { ...provinces },
    /** A viewer's token (any role): every status detail; set once listening. */
    viewerToken: null,
    logPath,
    dataDir,
    tmpDir,
    configPath,
    process: child,
    get exitInfo() {
      return exitInfo;
    },
    logTail(lines = 80) {
      return tailFile(logPath, lines);
    },
    /** Print the log tail to stderr (call when a test fails). */
    dumpLog(label = 'relay log', lines = 80) {
      process.stderr.write(`\n----- ${label}: last ${lines} lines of ${logPath} -----\n` +
        `${tailFile(logPath, lines)}\n----- end of ${label} -----\n`);
    },
    stop: null,
    /** Remove the temp dir unless BRIEFING_KEEP_TMP is set. */
    cleanup() {
      if (process.env.BRIEFING_KEEP_TMP) {
        return;
      }
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };

  let stopPromise = null;
  relay.stop = ({ signal: stopSignal = 'SIGTERM' } = {}) => {
    if (!stopPromise) {
      stopPromise = (async () => {
        if (exitInfo === null) {
          child.kill(stopSignal);
          // Cleared once the relay exits: a pending timer would keep the
          // test process (and the suite) waiting out the whole grace time.
          let graceTimer;
          const timer = new Promise((r) => { graceTimer = setTimeout(() => r('timeout'), stopGraceMs); });
          const first = await Promise.race([exited, timer]);
          clearTimeout(graceTimer);
          if (first === 'timeout') {
            child.kill('SIGKILL');
            await exited;
            await pipesClosed;
            throw new Error(
              `relay did not exit within ${stopGraceMs} ms of ${stopSignal} (killed); log ${logPath}:\n` +
              tailFile(logPath, 40));
          }
        }
        await pipesClosed;
        const { code, signal } = exitInfo;
        if (code !== 0 || signal !== null) {
          throw new Error(
            `relay exited abnormally (code=${code}, signal=${signal}); log ${logPath}:\n` +
            tailFile(logPath, 60));
        }
      })();
    }
    return stopPromise;
  };

  // Wait for the "listening" line on stdout.
  const ready = new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (chunk) => {
      writeLog(chunk);
      if (relay.url) {
        return;
      }
      buf += chunk.toString('utf8');
      const m = LISTEN_RE.exec(buf);
      if (m) {
        relay.url = m[1].endsWith('/') ? m[1] : `${m[1]}/`;
        resolve();
      } else if (buf.length > 1 << 16) {
        buf = buf.slice(-4096);
      }
    });
    child.stderr.on('data', (chunk) => writeLog(chunk));
    exited.then(({ code, signal }) => {
      if (!relay.url) {
        reject(new Error(
          `relay exited before listening (code=${code}, signal=${signal}` +
          `${spawnError ? `, ${spawnError.message}` : ''}); log ${logPath}:\n${tailFile(logPath, 60)}`));
      }
    });
    setTimeout(() => {
      if (!relay.url) {
        reject(new Error(
          `relay did not print "briefing-relay: listening on ..." within ${START_TIMEOUT_MS} ms; ` +
          `log ${logPath}:\n${tailFile(logPath, 60)}`));
      }
    }, START_TIMEOUT_MS).unref();
  });

  try {
    await ready;
  } catch (e) {
    if (exitInfo === null) {
      child.kill('SIGKILL');
      await exited;
    }
    throw e;
  }
  // dev-tokens.ini is written before the relay listens.
  relay.viewerToken = viewerTokenOf(configText, dataDir);
  return relay;
}
