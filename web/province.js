/* briefing-relay: province publisher page.
 *
 * Publishes camera + microphone to the relay with WHIP (RFC 9725), non-trickle:
 * the offer is POSTed once ICE gathering completes (or after 2 s), the answer
 * carries the relay's candidates. Reconnects by itself with a fresh
 * RTCPeerConnection and a new POST (the relay replaces the old session).
 *
 * Read-only test hook: window.briefing = {state, location, lastError, pc, stats}.
 *   state     'idle' | 'connecting' | 'live' | 'reconnecting' | 'error'
 *   location  absolute URL of the WHIP session resource, or null
 *   lastError null or {status, error, reason, message} (status 0 = no HTTP)
 *   pc        the current RTCPeerConnection or null
 *   stats     last send statistics snapshot or null
 */
'use strict';

(function () {
  const ICE_GATHER_CAP_MS = 2000;
  const POST_TIMEOUT_MS = 10000;
  const DELETE_TIMEOUT_MS = 5000;
  const CONNECT_TIMEOUT_MS = 15000;
  const DISCONNECT_GRACE_MS = 3000;
  const BACKOFF_MIN_MS = 1000;
  const BACKOFF_MAX_MS = 15000;
  const STATS_INTERVAL_MS = 1000;
  const STABLE_MS = 10000;        /* live this long: backoff starts over */
  const PROVINCE_RETRY_MS = 5000;
  const TOKEN_KEY_PREFIX = 'briefing.token.';
  const LAST_PROVINCE_KEY = 'briefing.lastProvince';
  const CAMERA_KEY = 'briefing.camera';
  const MIC_KEY = 'briefing.microphone';

  const STATE_TEXT = {
    idle: 'ยังไม่ได้เชื่อมต่อ / Idle',
    connecting: 'กำลังเชื่อมต่อ… / Connecting…',
    live: 'กำลังส่งสด / Live',
    reconnecting: 'กำลังเชื่อมต่อใหม่… / Reconnecting…',
    error: 'ผิดพลาด / Error',
  };

  const HTTP_ERROR_TEXT = {
    400: 'ข้อเสนอ SDP ไม่ถูกต้อง / Malformed offer',
    401: 'โทเค็นไม่ถูกต้อง / Wrong token',
    403: 'โทเค็นนี้เป็นของจังหวัดอื่น / Token belongs to another province',
    404: 'ไม่พบจังหวัดนี้ในระบบ / Unknown province',
    406: 'เซิร์ฟเวอร์รับสื่อรูปแบบนี้ไม่ได้ / Relay cannot accept this media',
    413: 'ข้อเสนอ SDP ใหญ่เกินไป / Offer too large',
    415: 'ชนิดข้อมูลไม่ถูกต้อง / Unsupported content type',
  };

  const els = {
    form: document.getElementById('publish-form'),
    province: document.getElementById('province'),
    token: document.getElementById('token'),
    showToken: document.getElementById('show-token'),
    forgetToken: document.getElementById('forget-token'),
    camera: document.getElementById('camera'),
    microphone: document.getElementById('microphone'),
    publish: document.getElementById('publish'),
    stop: document.getElementById('stop'),
    preview: document.getElementById('preview'),
    state: document.getElementById('state'),
    stateText: document.getElementById('state-text'),
    stateDetail: document.getElementById('state-detail'),
    statBitrate: document.getElementById('stat-bitrate'),
    statResolution: document.getElementById('stat-resolution'),
    statFps: document.getElementById('stat-fps'),
    statCodec: document.getElementById('stat-codec'),
    statAudio: document.getElementById('stat-audio'),
    statRtt: document.getElementById('stat-rtt'),
  };

  /* ---------------------------------------------------------------- state */

  let state = 'idle';
  let lastError = null;
  let stats = null;

  /* The current publishing attempt. Every async step checks that its
   * generation is still current, so Stop / retry cancel stale work. */
  let gen = 0;
  let wantLive = false;
  let attempt = 0;            /* consecutive failures, for backoff */
  let pc = null;
  let sessionUrl = null;      /* absolute Location of the WHIP session */
  let sessionToken = null;    /* token the session was created with */
  let sessionProvince = null;
  let retryTimer = null;
  let disconnectTimer = null;
  let connectTimer = null;
  let stableTimer = null;
  let statsTimer = null;
  let prevOutbound = null;    /* {video, audio} previous outbound-rtp */

  let localStream = null;
  let mediaPromise = null;    /* pending getUserMedia */

  const hook = Object.freeze(Object.create(null, {
    state: { get: () => state, enumerable: true },
    location: { get: () => sessionUrl, enumerable: true },
    lastError: { get: () => lastError, enumerable: true },
    pc: { get: () => pc, enumerable: true },
    stats: { get: () => stats, enumerable: true },
  }));
  Object.defineProperty(window, 'briefing', {
    value: hook, writable: false, configurable: false, enumerable: true,
  });

  function makeError(status, error, reason, message) {
    return Object.freeze({
      status: status,
      error: error || null,
      reason: reason || null,
      message: message,
    });
  }

  function setState(next, detail) {
    state = next;
    els.state.dataset.state = next;
    let text = STATE_TEXT[next] || next;
    if (next === 'error' && lastError) {
      text += ' — ' + lastError.message;
    }
    els.stateText.textContent = text;
    els.stateDetail.textContent = detail || '';
    updateControls();
  }

  function updateControls() {
    const busy = wantLive;
    els.publish.disabled = busy;
    els.stop.disabled = !busy;
    els.province.disabled = busy;
    els.token.disabled = busy;
  }

  /* -------------------------------------------------------------- storage */

  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* private mode / quota: not fatal */
    }
  }

  function storageRemove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* ignore */
    }
  }

  function tokenKey(code) {
    return TOKEN_KEY_PREFIX + code;
  }

  /* ------------------------------------------------------------ provinces */

  function provinceFromUrl() {
    const p = new URLSearchParams(window.location.search).get('province');
    return p ? p.trim().toUpperCase() : '';
  }

  function addOption(select, value, text) {
    const opt = document.createElement('option');
    opt.value = value;
    opt.textContent = text;
    select.appendChild(opt);
    return opt;
  }

  function fillProvinces(list, selected) {
    const select = els.province;
    select.textContent = '';
    addOption(select, '', 'เลือกจังหวัด / Choose province');
    let found = false;
    for (const p of list) {
      if (!p || typeof p.code !== 'string') {
        continue;
      }
      const label = [p.code, p.name_th, p.name_en].filter(Boolean).join(' ');
      addOption(select, p.code, label);
      if (p.code === selected) {
        found = true;
      }
    }
    if (selected && !found) {
      addOption(select, selected, selected + ' (ไม่รู้จัก / unknown)');
    }
    select.value = selected || '';
  }

  async function loadProvinces() {
    const initial = els.province.value || provinceFromUrl() ||
      storageGet(LAST_PROVINCE_KEY) || '';
    try {
      const res = await fetch(new URL('api/v1/provinces', document.baseURI), {
        headers: { Accept: 'application/json' },
        cache: 'no-store',
      });
      if (!res.ok) {
        throw new Error('HTTP ' + res.status);
      }
      const body = await res.json();
      const list = Array.isArray(body.provinces) ? body.provinces.slice() : [];
      list.sort((a, b) => String(a.code).localeCompare(String(b.code)));
      /* The user may have picked something meanwhile: keep it. */
      fillProvinces(list, els.province.value || initial);
    } catch (e) {
      if (state === 'idle') {
        els.stateDetail.textContent =
          'โหลดรายชื่อจังหวัดไม่สำเร็จ / Could not load the province list (' +
          e.message + ')';
      }
      window.setTimeout(loadProvinces, PROVINCE_RETRY_MS);
    }
  }

  function onProvinceChange() {
    const code = els.province.value;
    els.token.value = code ? (storageGet(tokenKey(code)) || '') : '';
    if (code) {
      storageSet(LAST_PROVINCE_KEY, code);
    }
    const url = new URL(window.location.href);
    if (code) {
      url.searchParams.set('province', code);
    } else {
      url.searchParams.delete('province');
    }
    window.history.replaceState(null, '', url);
  }

  /* ---------------------------------------------------------------- media */

  function mediaErrorText(e) {
    switch (e && e.name) {
      case 'NotAllowedError':
      case 'SecurityError':
        return 'ไม่ได้รับอนุญาตให้ใช้กล้อง/ไมโครโฟน / Camera or microphone permission denied';
      case 'NotFoundError':
      case 'OverconstrainedError':
        return 'ไม่พบกล้องหรือไมโครโฟน / No camera or microphone found';
      case 'NotReadableError':
      case 'AbortError':
        return 'กล้องหรือไมโครโฟนถูกใช้งานโดยโปรแกรมอื่น / Camera or microphone is busy';
      default:
        return 'เปิดกล้อง/ไมโครโฟนไม่สำเร็จ / Could not open camera or microphone' +
          (e && e.message ? ' (' + e.message + ')' : '');
    }
  }

  function mediaAvailable() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function videoConstraints(deviceId) {
    const c = { width: 640, height: 360, frameRate: 15 };
    if (deviceId) {
      c.deviceId = { exact: deviceId };
    }
    return c;
  }

  function audioConstraints(deviceId) {
    const c = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    if (deviceId) {
      c.deviceId = { exact: deviceId };
    }
    return c;
  }

  async function getUserMediaWithFallback(constraints) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (e) {
      /* A remembered device may have been unplugged: fall back to default. */
      if (e && (e.name === 'OverconstrainedError' || e.name === 'NotFoundError')) {
        const loose = {};
        if (constraints.video) {
          loose.video = videoConstraints('');
        }
        if (constraints.audio) {
          loose.audio = audioConstraints('');
        }
        return navigator.mediaDevices.getUserMedia(loose);
      }
      throw e;
    }
  }

  async function openMedia() {
    if (!mediaAvailable()) {
      const err = new Error('getUserMedia unavailable');
      err.name = 'InsecureContext';
      throw err;
    }
    const stream = await getUserMediaWithFallback({
      video: videoConstraints(els.camera.value || storageGet(CAMERA_KEY) || ''),
      audio: audioConstraints(els.microphone.value || storageGet(MIC_KEY) || ''),
    });
    localStream = stream;
    els.preview.srcObject = stream;
    await refreshDevices();
    return stream;
  }

  function streamIsLive(stream) {
    return Boolean(stream) && stream.getTracks().length > 0 &&
      stream.getTracks().every((t) => t.readyState === 'live');
  }

  /* Resolves to a live local stream, opening the devices if needed. */
  function ensureMedia() {
    if (streamIsLive(localStream)) {
      return Promise.resolve(localStream);
    }
    if (!mediaPromise) {
      mediaPromise = openMedia().finally(() => {
        mediaPromise = null;
      });
    }
    return mediaPromise;
  }

  function fillDeviceSelect(select, devices, currentId, fallbackPrefix) {
    const keep = currentId || select.value;
    select.textContent = '';
    if (devices.length === 0) {
      addOption(select, '', 'ไม่พบอุปกรณ์ / No device');
      return;
    }
    devices.forEach((d, i) => {
      addOption(select, d.deviceId, d.label || (fallbackPrefix + ' ' + (i + 1)));
    });
    if (keep && devices.some((d) => d.deviceId === keep)) {
      select.value = keep;
    }
  }

  async function refreshDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) {
      return;
    }
    const devices = await navigator.mediaDevices.enumerateDevices();
    const cams = devices.filter((d) => d.kind === 'videoinput');
    const mics = devices.filter((d) => d.kind === 'audioinput');
    const vt = localStream && localStream.getVideoTracks()[0];
    const at = localStream && localStream.getAudioTracks()[0];
    fillDeviceSelect(els.camera, cams, vt && vt.getSettings().deviceId, 'กล้อง / Camera');
    fillDeviceSelect(els.microphone, mics, at && at.getSettings().deviceId,
      'ไมโครโฟน / Microphone');
  }

  /* Swap one kind of track (camera or microphone), also on a live session. */
  async function switchDevice(kind) {
    const select = kind === 'video' ? els.camera : els.microphone;
    storageSet(kind === 'video' ? CAMERA_KEY : MIC_KEY, select.value);
    if (!mediaAvailable()) {
      return;
    }
    if (!localStream) {
      ensureMedia().catch((e) => {
        els.stateDetail.textContent = mediaErrorText(e);
      });
      return;
    }
    try {
      const constraints = kind === 'video'
        ? { video: videoConstraints(select.value) }
        : { audio: audioConstraints(select.value) };
      const fresh = await getUserMediaWithFallback(constraints);
      const track = kind === 'video' ? fresh.getVideoTracks()[0] : fresh.getAudioTracks()[0];
      if (!track) {
        return;
      }
      const old = kind === 'video'
        ? localStream.getVideoTracks()
        : localStream.getAudioTracks();
      for (const t of old) {
        localStream.removeTrack(t);
        t.stop();
      }
      localStream.addTrack(track);
      if (kind === 'video') {
        els.preview.srcObject = localStream;
      }
      if (pc) {
        /* The receiver track's kind is fixed, the sender's may be null. */
        for (const tr of pc.getTransceivers()) {
          if (tr.receiver.track && tr.receiver.track.kind === kind) {
            await tr.sender.replaceTrack(track);
          }
        }
      }
    } catch (e) {
      els.stateDetail.textContent = mediaErrorText(e);
    }
  }

  /* ----------------------------------------------------------- publishing */

  function clearTimers() {
    for (const t of [retryTimer, disconnectTimer, connectTimer, stableTimer]) {
      if (t !== null) {
        window.clearTimeout(t);
      }
    }
    retryTimer = disconnectTimer = connectTimer = stableTimer = null;
  }

  function stopStats() {
    if (statsTimer !== null) {
      window.clearInterval(statsTimer);
      statsTimer = null;
    }
    prevOutbound = null;
  }

  function resetStatsDisplay() {
    stats = null;
    els.statBitrate.textContent = '–';
    els.statResolution.textContent = '–';
    els.statFps.textContent = '–';
    els.statCodec.textContent = '–';
    els.statAudio.textContent = '–';
    els.statRtt.textContent = '–';
  }

  function closePc() {
    stopStats();
    if (pc) {
      pc.onconnectionstatechange = null;
      try {
        pc.close();
      } catch (e) {
        /* ignore */
      }
      pc = null;
    }
  }

  function preferVp8(transceiver) {
    if (typeof transceiver.setCodecPreferences !== 'function') {
      return;
    }
    const sources = [];
    if (window.RTCRtpSender && RTCRtpSender.getCapabilities) {
      sources.push(RTCRtpSender.getCapabilities('video'));
    }
    if (window.RTCRtpReceiver && RTCRtpReceiver.getCapabilities) {
      sources.push(RTCRtpReceiver.getCapabilities('video'));
    }
    for (const caps of sources) {
      if (!caps || !caps.codecs) {
        continue;
      }
      const isVp8 = (c) => c.mimeType.toLowerCase() === 'video/vp8';
      const vp8 = caps.codecs.filter(isVp8);
      if (vp8.length === 0) {
        return;
      }
      try {
        transceiver.setCodecPreferences(vp8.concat(caps.codecs.filter((c) => !isVp8(c))));
        return;
      } catch (e) {
        /* try the next capability list */
      }
    }
  }

  function waitIceGathering(conn, capMs) {
    return new Promise((resolve) => {
      if (conn.iceGatheringState === 'complete') {
        resolve();
        return;
      }
      const timer = window.setTimeout(done, capMs);
      function done() {
        window.clearTimeout(timer);
        conn.removeEventListener('icegatheringstatechange', check);
        resolve();
      }
      function check() {
        if (conn.iceGatheringState === 'complete') {
          done();
        }
      }
      conn.addEventListener('icegatheringstatechange', check);
    });
  }

  async function fetchWithTimeout(url, options, ms) {
    const ctrl = new AbortController();
    const timer = window.setTimeout(() => ctrl.abort(), ms);
    try {
      return await fetch(url, Object.assign({}, options, { signal: ctrl.signal }));
    } finally {
      window.clearTimeout(timer);
    }
  }

  async function readErrorBody(res) {
    let text = '';
    try {
      text = await res.text();
    } catch (e) {
      return { error: null, reason: null };
    }
    try {
      const j = JSON.parse(text);
      return {
        error: j && typeof j.error === 'string' ? j.error : null,
        reason: j && typeof j.reason === 'string' ? j.reason : null,
      };
    } catch (e) {
      /* Not the relay's JSON (a proxy's error page?): only short plain text. */
      const type = (res.headers.get('Content-Type') || '').toLowerCase();
      const plain = type.startsWith('text/plain') ? text.trim().slice(0, 200) : '';
      return { error: null, reason: plain || res.statusText || null };
    }
  }

  function httpErrorMessage(status) {
    if (HTTP_ERROR_TEXT[status]) {
      return HTTP_ERROR_TEXT[status];
    }
    if (status >= 500) {
      return 'เซิร์ฟเวอร์ขัดข้อง / Relay error (HTTP ' + status + ')';
    }
    return 'คำขอถูกปฏิเสธ / Request rejected (HTTP ' + status + ')';
  }

  function fail(err) {
    /* Permanent error: stop trying and show it. */
    wantLive = false;
    gen++;
    clearTimers();
    closePc();
    const url = sessionUrl;
    const token = sessionToken;
    sessionUrl = null;
    lastError = err;
    const detail = err.status
      ? 'HTTP ' + err.status + (err.reason ? ': ' + err.reason : (err.error ? ': ' + err.error : ''))
      : (err.reason || '');
    setState('error', detail);
    if (url) {
      deleteSession(url, token, false);
    }
  }

  function scheduleRetry(err) {
    if (!wantLive) {
      return;
    }
    gen++;
    clearTimers();
    closePc();
    sessionUrl = null;
    lastError = err;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt));
    attempt++;
    setState('reconnecting',
      err.message + (err.reason ? ' (' + err.reason + ')' : '') +
      ' — ลองใหม่ใน ' + Math.round(delay / 1000) + ' วินาที / retrying in ' +
      Math.round(delay / 1000) + ' s');
    retryTimer = window.setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  function onConnectionStateChange(myGen, conn) {
    if (myGen !== gen || conn !== pc) {
      return;
    }
    switch (conn.connectionState) {
      case 'connected':
        if (disconnectTimer !== null) {
          window.clearTimeout(disconnectTimer);
          disconnectTimer = null;
        }
        if (connectTimer !== null) {
          window.clearTimeout(connectTimer);
          connectTimer = null;
        }
        /* Reset the backoff only once the session has proved stable, so a
         * relay that accepts and drops at once is not hammered every 1 s. */
        if (stableTimer === null) {
          stableTimer = window.setTimeout(() => {
            stableTimer = null;
            if (myGen === gen) {
              attempt = 0;
            }
          }, STABLE_MS);
        }
        lastError = null;
        setState('live', sessionProvince ? 'ส่งภาพเป็น / Publishing as ' + sessionProvince : '');
        startStats(myGen);
        break;
      case 'disconnected':
        setState('reconnecting', 'การเชื่อมต่อขาดหาย / Connection interrupted');
        if (disconnectTimer === null) {
          disconnectTimer = window.setTimeout(() => {
            disconnectTimer = null;
            if (myGen === gen && pc === conn && conn.connectionState !== 'connected') {
              scheduleRetry(makeError(0, 'disconnected', null,
                'การเชื่อมต่อขาดหาย / Connection lost'));
            }
          }, DISCONNECT_GRACE_MS);
        }
        break;
      case 'failed':
        scheduleRetry(makeError(0, 'failed', null,
          'การเชื่อมต่อล้มเหลว / Connection failed'));
        break;
      default:
        break;
    }
  }

  async function connect() {
    const myGen = ++gen;
    clearTimers();
    closePc();
    sessionUrl = null;
    const province = els.province.value;
    const token = els.token.value.trim();
    sessionProvince = province;
    sessionToken = token;
    setState(attempt > 0 ? 'reconnecting' : 'connecting',
      attempt > 0 ? 'ครั้งที่ / attempt ' + (attempt + 1) : '');

    let stream;
    try {
      stream = await ensureMedia();
    } catch (e) {
      if (myGen === gen) {
        fail(makeError(0, 'media', e && e.message,
          e && e.name === 'InsecureContext'
            ? 'ต้องเปิดหน้านี้ผ่าน HTTPS / This page must be opened over HTTPS'
            : mediaErrorText(e)));
      }
      return;
    }
    if (myGen !== gen) {
      return;
    }

    const audio = stream.getAudioTracks()[0];
    const video = stream.getVideoTracks()[0];
    if (!audio && !video) {
      fail(makeError(0, 'media', null, mediaErrorText({ name: 'NotFoundError' })));
      return;
    }

    let offerSdp;
    const conn = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc = conn;
    conn.onconnectionstatechange = () => onConnectionStateChange(myGen, conn);
    try {
      if (audio) {
        conn.addTransceiver(audio, { direction: 'sendonly', streams: [stream] });
      }
      if (video) {
        const tr = conn.addTransceiver(video, { direction: 'sendonly', streams: [stream] });
        preferVp8(tr);
      }
      const offer = await conn.createOffer();
      await conn.setLocalDescription(offer);
      await waitIceGathering(conn, ICE_GATHER_CAP_MS);
      offerSdp = conn.localDescription.sdp;
    } catch (e) {
      if (myGen === gen) {
        fail(makeError(0, 'webrtc', e && e.message,
          'สร้างการเชื่อมต่อ WebRTC ไม่สำเร็จ / Could not create the WebRTC offer'));
      }
      return;
    }
    if (myGen !== gen) {
      return;
    }

    const endpoint = new URL('whip/' + encodeURIComponent(province), document.baseURI);
    let res;
    try {
      res = await fetchWithTimeout(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/sdp',
          Authorization: 'Bearer ' + token,
        },
        body: offerSdp,
        cache: 'no-store',
      }, POST_TIMEOUT_MS);
    } catch (e) {
      if (myGen === gen) {
        scheduleRetry(makeError(0, 'network', e && e.message,
          'ติดต่อเซิร์ฟเวอร์ไม่ได้ / Cannot reach the relay'));
      }
      return;
    }
    if (myGen !== gen) {
      return;
    }

    if (res.status !== 201) {
      const body = await readErrorBody(res);
      if (myGen !== gen) {
        return;
      }
      const err = makeError(res.status, body.error, body.reason, httpErrorMessage(res.status));
      if (res.status >= 500 || res.status === 408 || res.status === 429) {
        scheduleRetry(err);
      } else {
        fail(err);
      }
      return;
    }

    const loc = res.headers.get('Location');
    let answer;
    try {
      answer = await res.text();
    } catch (e) {
      if (myGen === gen) {
        scheduleRetry(makeError(0, 'network', e && e.message,
          'ติดต่อเซิร์ฟเวอร์ไม่ได้ / Cannot reach the relay'));
      }
      return;
    }
    if (myGen !== gen) {
      return;
    }
    if (loc) {
      sessionUrl = new URL(loc, res.url || endpoint).href;
    }
    /* The relay accepted the token: remember it for this province. */
    storageSet(tokenKey(province), token);
    storageSet(LAST_PROVINCE_KEY, province);

    try {
      await conn.setRemoteDescription({ type: 'answer', sdp: answer });
    } catch (e) {
      if (myGen === gen) {
        fail(makeError(0, 'answer', e && e.message,
          'คำตอบ SDP จากเซิร์ฟเวอร์ใช้ไม่ได้ / The relay answer was rejected'));
      }
      return;
    }
    if (myGen !== gen) {
      return;
    }
    if (!sessionUrl) {
      /* Still usable, but Stop cannot release the session early. */
      els.stateDetail.textContent =
        'เซิร์ฟเวอร์ไม่ส่ง Location / Relay sent no Location header';
    }
    keepResolution(conn);
    watchDtls(myGen, conn);

    if (conn.connectionState === 'connected') {
      onConnectionStateChange(myGen, conn);
    } else {
      connectTimer = window.setTimeout(() => {
        connectTimer = null;
        if (myGen === gen && pc === conn && conn.connectionState !== 'connected') {
          scheduleRetry(makeError(0, 'timeout', null,
            'เชื่อมต่อสื่อไม่สำเร็จภายในเวลา / Media connection timed out'));
        }
      }, CONNECT_TIMEOUT_MS);
    }
  }

  /* The relay ending the session (DTLS close_notify) can leave ICE up and
   * connectionState "connected" with no media flowing: watch DTLS too. */
  function watchDtls(myGen, conn) {
    const sender = conn.getSenders().find((x) => x.transport);
    const dtls = sender && sender.transport;
    if (!dtls || typeof dtls.addEventListener !== 'function') {
      return;
    }
    dtls.addEventListener('statechange', () => {
      if (myGen !== gen || pc !== conn) {
        return;
      }
      if (dtls.state === 'closed' || dtls.state === 'failed') {
        scheduleRetry(makeError(0, 'dtls-' + dtls.state, null,
          'เซิร์ฟเวอร์ปิดการเชื่อมต่อ / The relay closed the connection'));
      }
    });
  }

  /* The operations centre wants a stable 640x360 picture: under pressure let
   * the encoder lower frame rate / quality rather than resolution. */
  async function keepResolution(conn) {
    for (const sender of conn.getSenders()) {
      if (!sender.track || sender.track.kind !== 'video') {
        continue;
      }
      try {
        const params = sender.getParameters();
        params.degradationPreference = 'maintain-resolution';
        await sender.setParameters(params);
      } catch (e) {
        /* not supported: keep the browser default */
      }
    }
  }

  function deleteSession(url, token, keepalive) {
    const options = {
      method: 'DELETE',
      headers: token ? { Authorization: 'Bearer ' + token } : {},
      cache: 'no-store',
    };
    if (keepalive) {
      options.keepalive = true;
      return fetch(url, options).catch(() => null);
    }
    return fetchWithTimeout(url, options, DELETE_TIMEOUT_MS).catch(() => null);
  }

  function publish() {
    if (wantLive) {
      return;
    }
    const province = els.province.value;
    const token = els.token.value.trim();
    if (!province) {
      lastError = makeError(0, 'input', null, 'กรุณาเลือกจังหวัด / Please choose a province');
      setState('error');
      els.province.focus();
      return;
    }
    if (!token) {
      lastError = makeError(0, 'input', null, 'กรุณากรอกโทเค็น / Please enter the token');
      setState('error');
      els.token.focus();
      return;
    }
    wantLive = true;
    attempt = 0;
    lastError = null;
    resetStatsDisplay();
    connect();
  }

  async function stop() {
    const url = sessionUrl;
    const token = sessionToken;
    const oldPc = pc;
    wantLive = false;
    gen++;
    clearTimers();
    stopStats();
    if (oldPc) {
      oldPc.onconnectionstatechange = null;
    }
    pc = null;
    sessionUrl = null;
    attempt = 0;
    lastError = null;
    setState('idle', url ? 'กำลังปิดการเชื่อมต่อ… / Closing the session…' : '');
    /* DELETE first, then close the peer connection: the relay ends the
     * session on the DELETE rather than on a DTLS close or a timeout. */
    let res = null;
    if (url) {
      res = await deleteSession(url, token, false);
    }
    if (oldPc) {
      try {
        oldPc.close();
      } catch (e) {
        /* ignore */
      }
    }
    if (url && state === 'idle' && !wantLive) {
      els.stateDetail.textContent = res && res.ok
        ? 'หยุดส่งแล้ว / Stopped'
        : 'หยุดส่งแล้ว (เซิร์ฟเวอร์จะปิดเองเมื่อหมดเวลา) / Stopped (the relay will time the session out)';
    }
  }

  /* ---------------------------------------------------------------- stats */

  function startStats(myGen) {
    stopStats();
    statsTimer = window.setInterval(() => {
      if (myGen !== gen || !pc) {
        stopStats();
        return;
      }
      collectStats(pc).catch(() => null);
    }, STATS_INTERVAL_MS);
  }

  async function collectStats(conn) {
    const report = await conn.getStats();
    if (conn !== pc) {
      return;
    }
    let video = null;
    let audio = null;
    let rtt = null;
    let availableOut = null;
    report.forEach((s) => {
      if (s.type === 'outbound-rtp' && !s.rid && s.kind === 'video') {
        video = s;
      } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
        audio = s;
      } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' &&
                 typeof s.currentRoundTripTime === 'number') {
        rtt = s.currentRoundTripTime;
        if (typeof s.availableOutgoingBitrate === 'number') {
          availableOut = s.availableOutgoingBitrate;
        }
      }
    });
    if (video === null) {
      report.forEach((s) => {
        if (video === null && s.type === 'outbound-rtp' && s.kind === 'video') {
          video = s;
        }
      });
    }
    const prev = prevOutbound || {};
    const kbps = (cur, old) => {
      if (!cur || !old || cur.timestamp <= old.timestamp) {
        return null;
      }
      return ((cur.bytesSent - old.bytesSent) * 8) / (cur.timestamp - old.timestamp);
    };
    const snap = {
      bitrateKbps: kbps(video, prev.video),
      audioKbps: kbps(audio, prev.audio),
      width: video && video.frameWidth ? video.frameWidth : null,
      height: video && video.frameHeight ? video.frameHeight : null,
      fps: video && typeof video.framesPerSecond === 'number' ? video.framesPerSecond : null,
      codec: null,
      framesSent: video ? video.framesSent || 0 : 0,
      qualityLimitationReason: video ? video.qualityLimitationReason || null : null,
      rttMs: rtt === null ? null : rtt * 1000,
      /* encoder target and bandwidth estimate, kbit/s (diagnostics) */
      targetKbps: video && typeof video.targetBitrate === 'number' ? video.targetBitrate / 1000 : null,
      availableKbps: availableOut === null ? null : availableOut / 1000,
    };
    if (video && video.codecId && report.get(video.codecId)) {
      snap.codec = report.get(video.codecId).mimeType.replace(/^video\//i, '');
    }
    prevOutbound = { video: video, audio: audio };
    stats = Object.freeze(snap);

    els.statBitrate.textContent = snap.bitrateKbps === null ? '–' : Math.round(snap.bitrateKbps);
    els.statResolution.textContent = snap.width ? snap.width + ' × ' + snap.height : '–';
    els.statFps.textContent = snap.fps === null ? '–' : snap.fps.toFixed(0);
    els.statCodec.textContent = snap.codec || '–';
    els.statAudio.textContent = snap.audioKbps === null ? '–' : Math.round(snap.audioKbps);
    els.statRtt.textContent = snap.rttMs === null ? '–' : Math.round(snap.rttMs);
  }

  /* ----------------------------------------------------------------- init */

  function init() {
    const fromUrl = provinceFromUrl() || storageGet(LAST_PROVINCE_KEY) || '';
    if (fromUrl) {
      /* Usable before the list arrives (and if it never does). */
      fillProvinces([], fromUrl);
      els.province.options[els.province.selectedIndex].textContent = fromUrl;
      els.token.value = storageGet(tokenKey(fromUrl)) || '';
    }

    els.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      publish();
    });
    els.stop.addEventListener('click', () => {
      stop();
    });
    els.province.addEventListener('change', onProvinceChange);
    els.forgetToken.addEventListener('click', () => {
      const code = els.province.value;
      if (code) {
        storageRemove(tokenKey(code));
      }
      els.token.value = '';
      if (!wantLive) {
        els.token.focus();
      }
      els.stateDetail.textContent = 'ลืมโทเค็นแล้ว / Token forgotten';
    });
    els.showToken.addEventListener('change', () => {
      els.token.type = els.showToken.checked ? 'text' : 'password';
    });
    els.camera.addEventListener('change', () => switchDevice('video'));
    els.microphone.addEventListener('change', () => switchDevice('audio'));

    window.addEventListener('pagehide', () => {
      if (sessionUrl) {
        deleteSession(sessionUrl, sessionToken, true);
      }
    });

    setState('idle');
    loadProvinces();

    if (!mediaAvailable()) {
      els.stateDetail.textContent =
        'เบราว์เซอร์ไม่อนุญาตกล้อง: ต้องเปิดผ่าน HTTPS / Camera unavailable: open this page over HTTPS';
      return;
    }
    navigator.mediaDevices.addEventListener('devicechange', () => {
      refreshDevices().catch(() => null);
    });
    ensureMedia().catch((e) => {
      if (state === 'idle') {
        els.stateDetail.textContent = mediaErrorText(e);
      }
    });
  }

  init();
}());
