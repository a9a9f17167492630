/* briefing-relay: the Thai / English texts of a page that runs a WHIP or
 * WHEP session (province.js, watch.js), kept in one place so that the pages
 * say the same thing the same way. No DOM access. */

/* The states every session has; each page words 'idle' and its live state. */
const SESSION_STATE_TEXT = Object.freeze({
  connecting: 'กำลังเชื่อมต่อ… / Connecting…',
  reconnecting: 'กำลังเชื่อมต่อใหม่… / Reconnecting…',
  error: 'ผิดพลาด / Error',
});

export const PAGE_TEXT = Object.freeze({
  chooseProvince: 'เลือกจังหวัด / Choose province',
  unknownProvince: (code) => code + ' (ไม่รู้จัก / unknown)',
  provinceListFailed: (message) =>
    'โหลดรายชื่อจังหวัดไม่สำเร็จ / Could not load the province list (' + message + ')',
  tokenForgotten: 'ลืมโทเค็นแล้ว / Token forgotten',
  noLocation: 'เซิร์ฟเวอร์ไม่ส่ง Location / Relay sent no Location header',
});

/* Statuses that mean the same on every endpoint; 403 and 406 depend on the
 * page. */
const HTTP_ERROR_TEXT = {
  400: 'ข้อเสนอ SDP ไม่ถูกต้อง / Malformed offer',
  401: 'โทเค็นไม่ถูกต้อง / Wrong token',
  404: 'ไม่พบจังหวัดนี้ในระบบ / Unknown province',
  413: 'ข้อเสนอ SDP ใหญ่เกินไป / Offer too large',
  415: 'ชนิดข้อมูลไม่ถูกต้อง / Unsupported content type',
};

/* The errors a session reports without an HTTP status. */
const SESSION_ERROR_TEXT = {
  webrtc: 'สร้างการเชื่อมต่อ WebRTC ไม่สำเร็จ / Could not create the WebRTC offer',
  network: 'ติดต่อเซิร์ฟเวอร์ไม่ได้ / Cannot reach the relay',
  answer: 'คำตอบ SDP จากเซิร์ฟเวอร์ใช้ไม่ได้ / The relay answer was rejected',
  timeout: 'เชื่อมต่อสื่อไม่สำเร็จภายในเวลา / Media connection timed out',
  disconnected: 'การเชื่อมต่อขาดหาย / Connection lost',
  failed: 'การเชื่อมต่อล้มเหลว / Connection failed',
  'dtls-closed': 'เซิร์ฟเวอร์ปิดการเชื่อมต่อ / The relay closed the connection',
  'dtls-failed': 'เซิร์ฟเวอร์ปิดการเชื่อมต่อ / The relay closed the connection',
};

const INPUT_ERROR_TEXT = {
  province: 'กรุณาเลือกจังหวัด / Please choose a province',
  token: 'กรุณากรอกโทเค็น / Please enter the token',
};

/* The describeError option of a session ({status, error, reason, cause} =>
 * message): pageHttpText adds the page's own texts by status, mediaText
 * (cause => text) describes a camera or microphone failure. */
export function sessionErrorDescriber(pageHttpText, mediaText) {
  const httpText = { ...HTTP_ERROR_TEXT, ...pageHttpText };
  return (e) => {
    if (e.status) {
      if (httpText[e.status]) {
        return httpText[e.status];
      }
      return e.status >= 500
        ? 'เซิร์ฟเวอร์ขัดข้อง / Relay error (HTTP ' + e.status + ')'
        : 'คำขอถูกปฏิเสธ / Request rejected (HTTP ' + e.status + ')';
    }
    if (e.error === 'media' && mediaText) {
      return mediaText(e.cause);
    }
    if (e.error === 'input') {
      return INPUT_ERROR_TEXT[e.cause] || String(e.cause);
    }
    return SESSION_ERROR_TEXT[e.error] || String(e.error);
  };
}

/* The state line: the state's text (pageTexts: the page's own states), and
 * in 'error' what went wrong. */
export function stateText(pageTexts, state, lastError) {
  const text = pageTexts[state] || SESSION_STATE_TEXT[state] || state;
  return state === 'error' && lastError ? text + ' — ' + lastError.message : text;
}

/* The detail line under the state for the 'statechange' infos every session
 * sends ('' for the others, which the page words itself). */
export function sessionDetailText(info) {
  switch (info.kind) {
    case 'retry': {
      const err = info.error;
      const s = Math.round(info.delayMs / 1000);
      return err.message + (err.reason ? ' (' + err.reason + ')' : '') +
        ' — ลองใหม่ใน ' + s + ' วินาที / retrying in ' + s + ' s';
    }
    case 'interrupted':
      return 'การเชื่อมต่อขาดหาย / Connection interrupted';
    case 'failed': {
      const err = info.error;
      return err.status
        ? 'HTTP ' + err.status + (err.reason ? ': ' + err.reason : (err.error ? ': ' + err.error : ''))
        : (err.reason || '');
    }
    case 'stopping':
      return info.closing ? 'กำลังปิดการเชื่อมต่อ… / Closing the session…' : '';
    default:
      return '';
  }
}
