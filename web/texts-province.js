/* briefing-relay: the texts of the province page (province.html,
 * province.js, province-briefing.js, province-office.js), each in Thai and
 * English; the shared ones are in texts-common.js. Import it for its side
 * effect. */

import { registerTexts } from './i18n.js';

registerTexts({
  /* The masthead and the page's frame. */
  'province.page-title': { th: 'ส่งภาพประชุมประจำวัน', en: 'Daily briefing publisher' },
  'province.heading': { th: 'ส่งภาพและเสียงเข้าประชุมประจำวัน', en: 'Daily briefing publisher' },
  'province.subtitle': {
    th: 'สำนักงานแรงงานจังหวัด → ศปก.รง.',
    en: 'Provincial Labour Office → Ministry of Labour operations centre',
  },
  'province.footer': { th: 'กระทรวงแรงงาน', en: 'Ministry of Labour' },

  /* Setup. */
  'province.setup': { th: 'ตั้งค่า', en: 'Setup' },
  'province.province': { th: 'จังหวัด', en: 'Province' },
  'province.loading': { th: 'กำลังโหลด…', en: 'Loading…' },
  'province.token': { th: 'โทเค็น', en: 'Token' },
  'province.forget-token': { th: 'ล้างโทเค็นที่จำไว้', en: 'Clear saved token' },
  'province.show-token': { th: 'แสดงโทเค็น', en: 'Show token' },
  'province.token-hint': {
    th: 'กรอกครั้งเดียว ระบบจะจำไว้ในเบราว์เซอร์นี้หลังเชื่อมต่อสำเร็จ',
    en: 'Entered once; remembered in this browser after a successful connection.',
  },
  'province.camera': { th: 'กล้อง', en: 'Camera' },
  'province.microphone': { th: 'ไมโครโฟน', en: 'Microphone' },
  'province.default-device': { th: 'ค่าเริ่มต้น', en: 'Default' },
  'province.no-device': { th: 'ไม่พบอุปกรณ์', en: 'No device' },
  'province.device-n': {
    th: (kind, n) => kind + ' ' + n,
    en: (kind, n) => kind + ' ' + n,
  },
  'province.publish': { th: 'เริ่มส่ง', en: 'Publish' },
  'province.stop': { th: 'หยุดส่ง', en: 'Stop' },

  /* The session's state and what went wrong. */
  'province.preview': { th: 'ภาพตัวอย่าง', en: 'Preview' },
  'province.state-idle': { th: 'ยังไม่ได้เชื่อมต่อ', en: 'Idle' },
  'province.state-live': { th: 'กำลังส่งสด', en: 'Live' },
  'province.attempt': { th: (n) => 'ครั้งที่ ' + n, en: (n) => 'attempt ' + n },
  'province.publishing-as': {
    th: (label) => 'ส่งภาพในนาม ' + label,
    en: (label) => 'Publishing as ' + label,
  },
  'province.stopped': { th: 'หยุดส่งแล้ว', en: 'Stopped' },
  'province.stopped-unreleased': {
    th: 'หยุดส่งแล้ว (เซิร์ฟเวอร์จะปิดการเชื่อมต่อเองเมื่อหมดเวลา)',
    en: 'Stopped (the relay will time the session out)',
  },
  'province.http-403': { th: 'โทเค็นนี้ไม่ใช่ของจังหวัดนี้', en: 'This token is not this province\'s' },
  'province.http-406': { th: 'เซิร์ฟเวอร์รับสื่อรูปแบบนี้ไม่ได้', en: 'The relay cannot accept this media' },
  'province.insecure': { th: 'ต้องเปิดหน้านี้ผ่าน HTTPS', en: 'This page must be opened over HTTPS' },
  'province.camera-unavailable': {
    th: 'เบราว์เซอร์ไม่อนุญาตให้ใช้กล้อง: ต้องเปิดหน้านี้ผ่าน HTTPS',
    en: 'Camera unavailable: open this page over HTTPS',
  },
  'province.media-denied': {
    th: 'ไม่ได้รับอนุญาตให้ใช้กล้องหรือไมโครโฟน',
    en: 'Camera or microphone permission denied',
  },
  'province.media-not-found': { th: 'ไม่พบกล้องหรือไมโครโฟน', en: 'No camera or microphone found' },
  'province.media-busy': {
    th: 'กล้องหรือไมโครโฟนถูกใช้งานโดยโปรแกรมอื่น',
    en: 'Camera or microphone is busy',
  },
  'province.media-failed': {
    th: (message) => 'เปิดกล้องหรือไมโครโฟนไม่สำเร็จ' + (message ? ' (' + message + ')' : ''),
    en: (message) => 'Could not open camera or microphone' + (message ? ' (' + message + ')' : ''),
  },

  /* Two devices of one office (docs/API.md, "One device at a time"). */
  'province.live-elsewhere': {
    th: 'อีกเครื่องหนึ่งกำลังส่งภาพในนามสำนักงานนี้อยู่',
    en: 'This office is live from another device',
  },
  'province.taken-over': { th: 'อุปกรณ์อื่นส่งภาพแทนแล้ว', en: 'Another device took over' },
  'province.take-over': { th: 'ส่งภาพจากเครื่องนี้แทน', en: 'Take over on this device' },
  'province.take-over-hint': {
    th: 'อีกเครื่องจะหยุดส่งภาพ และจะไม่ส่งกลับมาเองจนกว่าจะกดปุ่มนี้ที่เครื่องนั้น',
    en: 'The other device stops sending, and does not take over again unless this button is pressed there.',
  },

  /* What the operations centre sends back. */
  'province.program-heading': { th: 'ภาพจากส่วนกลาง', en: 'From the operations centre' },
  'province.program-waiting': { th: 'เริ่มเมื่อส่งภาพแล้ว', en: 'Starts once you are live' },
  'province.program-watching': { th: 'กำลังรับภาพจากส่วนกลาง', en: 'Receiving the operations centre' },

  /* Send statistics. */
  'province.stats-heading': { th: 'สถิติการส่ง', en: 'Send statistics' },
  'province.stat-bitrate': { th: 'อัตราบิต', en: 'Bitrate' },
  'province.stat-resolution': { th: 'ความละเอียด', en: 'Resolution' },
  'province.stat-fps': { th: 'เฟรมต่อวินาที', en: 'Frame rate' },
  'province.stat-codec': { th: 'ตัวแปลงสัญญาณ', en: 'Codec' },
  'province.stat-audio': { th: 'เสียง', en: 'Audio' },
  'province.stat-rtt': { th: 'เวลาไป-กลับ', en: 'Round trip' },
  'province.unit-kbps': { th: 'กิโลบิต/วินาที', en: 'kbit/s' },
  'province.unit-fps': { th: 'เฟรม/วินาที', en: 'fps' },
  'province.unit-ms': { th: 'มิลลิวินาที', en: 'ms' },

  /* The figures form (figures-form.js; the fields come from the schema). */
  'province.figures-heading': { th: 'รายงานตัวเลข', en: 'Figures' },
  'province.figures-date': { th: 'วันที่ *', en: 'Date *' },
  'province.figures-date-hint': { th: 'วว/ดด/ปปปป (พ.ศ.)', en: 'dd/mm/yyyy' },
  'province.figures-sending': { th: 'กำลังส่ง…', en: 'Sending…' },
  'province.figures-fix': { th: 'กรุณาแก้ไขช่องที่มีข้อผิดพลาด', en: 'Please correct the marked fields' },
  'province.figures-required': { th: 'ต้องกรอก', en: 'Required' },
  'province.figures-number': { th: 'ต้องเป็นตัวเลข', en: 'Must be a number' },
  'province.figures-integer': { th: 'ต้องเป็นจำนวนเต็ม', en: 'Must be a whole number' },
  'province.figures-min': { th: (m) => 'ต้องไม่น้อยกว่า ' + m, en: (m) => 'At least ' + m },
  'province.figures-max': { th: (m) => 'ต้องไม่เกิน ' + m, en: (m) => 'At most ' + m },
  'province.figures-length': {
    th: (m) => 'ยาวได้ไม่เกิน ' + m + ' ตัวอักษร',
    en: (m) => 'At most ' + m + ' characters',
  },
  'province.figures-no-schema': { th: 'โหลดแบบฟอร์มไม่ได้', en: 'Could not load the form' },
  'province.figures-network': { th: 'ส่งไม่สำเร็จ ลองอีกครั้ง', en: 'Not sent, please try again' },
  'province.figures-token': { th: 'กรุณากรอกโทเค็นด้านบน', en: 'Enter the token above' },
  'province.figures-refused': { th: 'ไม่ได้บันทึก', en: 'Not saved' },
  'province.figures-refused-date': {
    th: (day, reason) => 'วันที่ ' + day + ' อยู่นอกช่วงวันที่รับรายงาน',
    en: (day, reason) => reason,
  },
  'province.figures-refused-field': {
    th: (reason) => 'เซิร์ฟเวอร์ไม่รับค่านี้',
    en: (reason) => reason,
  },
  'province.figures-via-datachannel': { th: 'ทางช่องข้อมูล WebRTC', en: 'data channel' },
  'province.figures-via-https': { th: 'ทาง HTTPS', en: 'HTTPS' },
  'province.figures-saved': {
    th: (v, via) => 'บันทึกแล้ว (ฉบับที่ ' + v + ') — ' + via,
    en: (v, via) => 'Saved (version ' + v + ') — ' + via,
  },
  'province.figures-saved-warned': {
    th: (v, n, via) => 'บันทึกแล้ว (ฉบับที่ ' + v + ') พร้อมคำเตือนที่ยืนยัน ' + n + ' รายการ — ' + via,
    en: (v, n, via) => 'Saved (version ' + v + ') with ' + n + ' confirmed warning' + (n === 1 ? '' : 's') +
      ' — ' + via,
  },
  'province.figures-confirm-first': {
    th: 'ตัวเลขบางช่องผิดปกติ: ตรวจสอบ แล้วติ๊ก "ยืนยันตัวเลข" และกดส่งอีกครั้ง',
    en: 'Some figures look unusual: check them, tick "Confirm figures" and submit again',
  },
  /* As the relay words them (relay/figures/figures-plausibility.c). */
  'province.plausibility-low': {
    th: (value, bound) => value + ' ต่ำผิดปกติ (ปกติไม่ต่ำกว่า ' + bound + ') กรุณาตรวจสอบหรือยืนยันว่าถูกต้อง',
    en: (value, bound) => value + ' is unusually low (expected at least ' + bound +
      '): check it, or confirm it is right',
  },
  'province.plausibility-high': {
    th: (value, bound) => value + ' สูงผิดปกติ (ปกติไม่เกิน ' + bound + ') กรุณาตรวจสอบหรือยืนยันว่าถูกต้อง',
    en: (value, bound) => value + ' is unusually high (expected at most ' + bound +
      '): check it, or confirm it is right',
  },
  'province.figures-confirm': { th: 'ยืนยันตัวเลข', en: 'Confirm figures' },
  'province.figures-confirm-hint': {
    th: 'ตัวเลขที่มีคำเตือน (⚠) ถูกต้องตามที่กรอก จะบันทึกพร้อมคำเตือน',
    en: 'The figures marked ⚠ are right as entered; they are stored with their warnings.',
  },
  'province.figures-submit': { th: 'ส่งรายงาน', en: 'Submit figures' },

  /* The live briefing (province-briefing.js). */
  'province.turn-next': { th: 'ถึงคิวคุณเป็นลำดับถัดไป', en: 'You are next' },
  'province.turn-in': {
    th: (n) => 'ถึงคิวคุณอีก ' + n + ' ลำดับ',
    en: (n) => 'Your turn in ' + n,
  },
  'province.off-agenda': { th: 'ไม่มีคิวในวาระที่เหลือ', en: 'Not on the rest of the agenda' },
  'province.speaking-now': {
    th: (label) => 'กำลังพูด: ' + label,
    en: (label) => 'Speaking now: ' + label,
  },

  /* The office's own state (province-office.js). */
  'province.floor': { th: 'คุณได้รับสิทธิ์พูด', en: 'You have the floor' },
  'province.floor-clock-title': { th: 'เวลาที่พูดไปแล้ว', en: 'Time on the floor' },
  'province.mic-muted-by-chair': { th: 'ประธานปิดไมค์ของคุณ', en: 'The chair muted you' },
  'province.mic-open': {
    th: 'ไมค์ของคุณเปิดอยู่ ที่ประชุมได้ยินเสียงคุณ',
    en: 'Your microphone is open: the room hears you',
  },
  'province.recording': { th: 'กำลังบันทึกการประชุมนี้', en: 'This briefing is being recorded' },
  'province.recording-turns': {
    th: 'กำลังบันทึกการประชุมนี้ รวมทั้งภาพและเสียงของคุณขณะที่คุณได้รับสิทธิ์พูด',
    en: 'This briefing is being recorded, your camera and microphone too while you have the floor',
  },
  'province.clips-heading': { th: 'คลิปเสียงของสำนักงาน', en: 'Your office\'s clips' },
  'province.clips-of-briefing': {
    th: (title) => 'การประชุม: ' + title,
    en: (title) => 'Briefing: ' + title,
  },
  'province.clips-of-day': {
    th: (date) => 'วันที่ ' + date,
    en: (date) => 'Day ' + date,
  },
  'province.clips-none': { th: 'ยังไม่มีคลิปเสียง', en: 'No clips yet' },
  'province.clip-line': {
    th: (time, duration) => 'เวลา ' + time + ' น. ความยาว ' + duration,
    en: (time, duration) => time + ', ' + duration + ' long',
  },
  'province.clip-play': { th: 'ฟังคลิปเสียง', en: 'Play the clip' },
});
