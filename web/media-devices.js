/* briefing-relay: camera and microphone for the province page, without any
 * DOM access: getUserMedia with fallbacks, device enumeration and switching.
 *
 * A LocalMedia object keeps one local MediaStream (640x360 at 15 fps video
 * plus processed audio). Remembered devices that have gone away fall back to
 * the default ones. Errors are the browser's DOMExceptions (name
 * NotAllowedError, NotFoundError, ...), or name 'InsecureContext' when the
 * browser offers no getUserMedia at all (plain HTTP).
 */

export function mediaAvailable() {
  return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

export function videoConstraints(deviceId) {
  const c = { width: 640, height: 360, frameRate: 15 };
  if (deviceId) {
    c.deviceId = { exact: deviceId };
  }
  return c;
}

export function audioConstraints(deviceId) {
  const c = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  if (deviceId) {
    c.deviceId = { exact: deviceId };
  }
  return c;
}

export async function getUserMediaWithFallback(constraints) {
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

function streamIsLive(stream) {
  return Boolean(stream) && stream.getTracks().length > 0 &&
    stream.getTracks().every((t) => t.readyState === 'live');
}

export class LocalMedia {
  #stream = null;
  #pending = null;          /* pending open() */
  #deviceIds;
  #onOpen;

  /**
   * deviceIds: () => ({video, audio}), the device ids to open ('' = default)
   * onOpen:    async (stream) => {}, awaited after the devices were opened,
   *            before ensure() resolves (e.g. show a preview, list devices)
   */
  constructor({ deviceIds, onOpen } = {}) {
    this.#deviceIds = deviceIds || (() => ({ video: '', audio: '' }));
    this.#onOpen = onOpen || (async () => {});
  }

  /** The local stream once opened (its tracks may have ended), else null. */
  get stream() {
    return this.#stream;
  }

  async #open() {
    if (!mediaAvailable()) {
      const err = new Error('getUserMedia unavailable');
      err.name = 'InsecureContext';
      throw err;
    }
    const ids = this.#deviceIds();
    const stream = await getUserMediaWithFallback({
      video: videoConstraints(ids.video),
      audio: audioConstraints(ids.audio),
    });
    this.#stream = stream;
    await this.#onOpen(stream);
    return stream;
  }

  /** Resolves to a live local stream, opening the devices if needed. */
  ensure() {
    if (streamIsLive(this.#stream)) {
      return Promise.resolve(this.#stream);
    }
    if (!this.#pending) {
      this.#pending = this.#open().finally(() => {
        this.#pending = null;
      });
    }
    return this.#pending;
  }

  /**
   * The cameras and microphones, and the ids of the devices in use:
   * {cameras, microphones, cameraId, microphoneId}; null when the browser
   * cannot enumerate devices.
   */
  async enumerate() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) {
      return null;
    }
    const devices = await navigator.mediaDevices.enumerateDevices();
    const stream = this.#stream;
    const vt = stream && stream.getVideoTracks()[0];
    const at = stream && stream.getAudioTracks()[0];
    return {
      cameras: devices.filter((d) => d.kind === 'videoinput'),
      microphones: devices.filter((d) => d.kind === 'audioinput'),
      cameraId: vt && vt.getSettings().deviceId,
      microphoneId: at && at.getSettings().deviceId,
    };
  }

  /**
   * Swap the stream's track of one kind ('video' or 'audio') for one from
   * deviceId. Returns the new track (to hand to the peer connection), or
   * null when there is no stream yet or the device gave no track.
   */
  async switchDevice(kind, deviceId) {
    if (!this.#stream) {
      return null;
    }
    const constraints = kind === 'video'
      ? { video: videoConstraints(deviceId) }
      : { audio: audioConstraints(deviceId) };
    const fresh = await getUserMediaWithFallback(constraints);
    const track = kind === 'video' ? fresh.getVideoTracks()[0] : fresh.getAudioTracks()[0];
    if (!track) {
      return null;
    }
    const stream = this.#stream;
    const old = kind === 'video' ? stream.getVideoTracks() : stream.getAudioTracks();
    for (const t of old) {
      stream.removeTrack(t);
      t.stop();
    }
    stream.addTrack(track);
    return track;
  }

  /** Call listener when devices are plugged in or removed. */
  onDeviceChange(listener) {
    if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
      navigator.mediaDevices.addEventListener('devicechange', listener);
    }
  }
}
