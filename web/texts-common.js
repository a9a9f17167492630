/* briefing-relay: the texts every page shares (language switch, session
 * states and errors, participant states, units, common buttons). Each entry
 * has a Thai and an English form; texts-<page>.js hold each page's own.
 * Import it for its side effect. */

import { registerTexts } from './i18n.js';

registerTexts({
  'language.other': { th: 'English', en: 'ไทย' },
  'language.switch-title': { th: 'เปลี่ยนภาษา', en: 'Change language' },

  /* Session states and the texts of relay-session.js. */
  'session.connecting': { th: 'กำลังเชื่อมต่อ…', en: 'Connecting…' },
  'session.reconnecting': { th: 'กำลังเชื่อมต่อใหม่…', en: 'Reconnecting…' },
  'session.error': { th: 'ผิดพลาด', en: 'Error' },
  'session.choose-province': { th: 'เลือกจังหวัด', en: 'Choose province' },
  'session.unknown-province': { th: (code) => code + ' (ไม่รู้จัก)', en: (code) => code + ' (unknown)' },
  'session.province-list-failed': {
    th: (message) => 'โหลดรายชื่อจังหวัดไม่สำเร็จ (' + message + ')',
    en: (message) => 'Could not load the province list (' + message + ')',
  },
  'session.token-cleared': { th: 'ล้างโทเค็นที่จำไว้แล้ว', en: 'Saved token cleared' },
  'session.no-location': { th: 'เซิร์ฟเวอร์ไม่ส่ง Location', en: 'The relay sent no Location header' },
  'session.http-400': { th: 'ข้อเสนอ SDP ไม่ถูกต้อง', en: 'Malformed offer' },
  'session.http-401': { th: 'โทเค็นไม่ถูกต้อง', en: 'Wrong token' },
  'session.http-404': { th: 'ไม่พบจังหวัดนี้ในระบบ', en: 'Unknown province' },
  'session.http-413': { th: 'ข้อเสนอ SDP ใหญ่เกินไป', en: 'Offer too large' },
  'session.http-415': { th: 'ชนิดข้อมูลไม่ถูกต้อง', en: 'Unsupported content type' },
  'session.http-429': { th: 'คำขอมากเกินไป กรุณารอสักครู่', en: 'Too many requests; please wait' },
  'session.http-5xx': {
    th: (status) => 'เซิร์ฟเวอร์ขัดข้อง (HTTP ' + status + ')',
    en: (status) => 'Relay error (HTTP ' + status + ')',
  },
  'session.http-other': {
    th: (status) => 'คำขอถูกปฏิเสธ (HTTP ' + status + ')',
    en: (status) => 'Request rejected (HTTP ' + status + ')',
  },
  'session.webrtc': { th: 'สร้างการเชื่อมต่อ WebRTC ไม่สำเร็จ', en: 'Could not create the WebRTC offer' },
  'session.network': { th: 'ติดต่อเซิร์ฟเวอร์ไม่ได้', en: 'Cannot reach the relay' },
  'session.answer': { th: 'คำตอบ SDP จากเซิร์ฟเวอร์ใช้ไม่ได้', en: 'The relay answer was rejected' },
  'session.timeout': { th: 'เชื่อมต่อสื่อไม่สำเร็จภายในเวลา', en: 'Media connection timed out' },
  'session.disconnected': { th: 'การเชื่อมต่อขาดหาย', en: 'Connection lost' },
  'session.failed': { th: 'การเชื่อมต่อล้มเหลว', en: 'Connection failed' },
  'session.relay-closed': { th: 'เซิร์ฟเวอร์ปิดการเชื่อมต่อ', en: 'The relay closed the connection' },
  'session.input-province': { th: 'กรุณาเลือกจังหวัด', en: 'Please choose a province' },
  'session.input-token': { th: 'กรุณากรอกโทเค็น', en: 'Please enter the token' },
  'session.retrying': {
    th: (s) => 'ลองใหม่ใน ' + s + ' วินาที',
    en: (s) => 'retrying in ' + s + ' s',
  },
  'session.interrupted': { th: 'การเชื่อมต่อขาดหาย', en: 'Connection interrupted' },
  'session.closing': { th: 'กำลังปิดการเชื่อมต่อ…', en: 'Closing the session…' },

  /* A participant's state as the relay reports it (roster, review). */
  'participant.live': { th: 'ออนไลน์', en: 'live' },
  'participant.connecting': { th: 'กำลังเชื่อมต่อ', en: 'connecting' },
  'participant.lost': { th: 'สัญญาณหาย', en: 'lost' },
  'participant.offline': { th: 'ไม่ได้เชื่อมต่อ', en: 'offline' },

  /* Units of the figures. */
  'unit.persons': { th: 'คน', en: 'persons' },
  'unit.establishments': { th: 'แห่ง', en: 'establishments' },
  'unit.cases': { th: 'เรื่อง', en: 'cases' },
  'unit.incidents': { th: 'ราย', en: 'incidents' },
  'unit.percent': { th: '%', en: '%' },

  /* Microphone buttons: never a bare "on/off". */
  'mic.mute': { th: 'ปิดไมค์', en: 'Mute' },
  'mic.unmute': { th: 'เปิดไมค์', en: 'Unmute' },

  /* The operations pages, as links and titles name them. */
  'page.ops': { th: 'ห้องปฏิบัติการ', en: 'Operations room' },
  'page.figures': { th: 'ตัวเลขรายจังหวัด', en: 'Provincial figures' },
  'page.review': { th: 'ย้อนดูการประชุม', en: 'Briefing review' },
  'page.report': { th: 'รายงานการประชุม', en: 'Briefing report' },

  /* A day typed in a page (date-field.js): as formatDate writes it. */
  'date.placeholder': { th: 'วว/ดด/ปปปป', en: 'dd/mm/yyyy' },
  'date.invalid': {
    th: 'วันที่ไม่ถูกต้อง พิมพ์เป็น วว/ดด/ปปปป (พ.ศ.)',
    en: 'Not a date: type it as dd/mm/yyyy',
  },

  /* A refused request of the pages that read the API with a token
   * (briefing-format.js requestErrorText). */
  'request.token-refused': { th: 'โทเค็นใช้ไม่ได้', en: 'Token refused' },
  'request.not-found': { th: 'ไม่พบข้อมูลที่ขอ', en: 'Not found' },
  'request.failed': { th: 'โหลดไม่ได้', en: 'Could not load' },

  /* The regions of the roster (figures-format.js), and totals over them. */
  'region.central': { th: 'ภาคกลาง', en: 'Central' },
  'region.east': { th: 'ภาคตะวันออก', en: 'East' },
  'region.northeast': { th: 'ภาคตะวันออกเฉียงเหนือ', en: 'Northeast' },
  'region.north': { th: 'ภาคเหนือ', en: 'North' },
  'region.west': { th: 'ภาคตะวันตก', en: 'West' },
  'region.south': { th: 'ภาคใต้', en: 'South' },
  'total.region': { th: (region) => 'รวม' + region, en: (region) => region + ' total' },
  'total.national': { th: 'รวมทั้งประเทศ', en: 'National total' },

  /* The values of the figures' overall status (the schema's enum). */
  'overall-status.normal': { th: 'ปกติ', en: 'normal' },
  'overall-status.watch': { th: 'เฝ้าระวัง', en: 'watch' },
  'overall-status.urgent': { th: 'เร่งด่วน', en: 'urgent' },

  /* The briefing (briefing-format.js): its states, the roll call, the
   * agenda items' states, why a turn ended. */
  'briefing-state.planned': { th: 'เตรียมการ', en: 'planned' },
  'briefing-state.live': { th: 'กำลังประชุม', en: 'live' },
  'briefing-state.ended': { th: 'จบแล้ว', en: 'ended' },
  'briefing-state.interrupted': { th: 'ขัดข้อง', en: 'interrupted' },
  'attendance.present': { th: 'มา', en: 'present' },
  'attendance.late': { th: 'มาสาย', en: 'late' },
  'attendance.absent': { th: 'ขาด', en: 'absent' },
  'agenda-status.pending': { th: 'รอ', en: 'pending' },
  'agenda-status.current': { th: 'กำลังดำเนินการ', en: 'current' },
  'agenda-status.done': { th: 'เสร็จ', en: 'done' },
  'agenda-status.skipped': { th: 'ข้าม', en: 'skipped' },
  'turn-end.next': { th: 'วาระถัดไป', en: 'next item' },
  'turn-end.floor-passed': { th: 'ส่งต่อ', en: 'floor passed on' },
  'turn-end.floor-taken-back': { th: 'เรียกคืน', en: 'floor taken back' },
  'turn-end.ended': { th: 'จบการประชุม', en: 'briefing ended' },
  'turn-end.interrupted': { th: 'ขัดข้อง', en: 'interrupted' },
  'turn.overtime': { th: 'เกินเวลา', en: 'overtime' },
});
