/* briefing-relay: the texts of watch.html (the minister's and the chair's
 * viewer, also on a phone), Thai and English. Import it for its side
 * effect; i18n.js says how texts are used. */

import { registerTexts } from './i18n.js';

registerTexts({
  'watch.page-title': { th: 'ดูภาพสดรายจังหวัด', en: 'Watch a province live' },
  'watch.title': { th: 'ดูภาพสดรายจังหวัด', en: 'Watch a province live' },
  'watch.subtitle': {
    th: 'สำหรับประธานและรัฐมนตรี ศปก.รง.',
    en: 'For the chair and the minister, Ministry of Labour operations centre',
  },
  'watch.footer': { th: 'กระทรวงแรงงาน', en: 'Ministry of Labour' },

  /* The picture and what it is doing. */
  'watch.picture': { th: 'ภาพสด', en: 'Live picture' },
  'watch.state-idle': { th: 'ยังไม่ได้ดู', en: 'Idle' },
  'watch.state-watching': { th: 'กำลังรับชม', en: 'Watching' },
  'watch.stage-idle': { th: 'เลือกสำนักงานแล้วกด "ดู"', en: 'Choose an office and press Watch' },
  'watch.stage-waiting': {
    th: (office) => 'กำลังรอภาพจาก ' + office + '…',
    en: (office) => 'Waiting for the picture from ' + office + '…',
  },
  'watch.stage-not-sending': {
    th: (office) => office + ' ยังไม่ได้ส่งภาพ ภาพจะขึ้นเองเมื่อเริ่มส่ง',
    en: (office) => office + ' is not sending yet; the picture appears when it does',
  },
  'watch.stage-error': { th: 'ดูภาพไม่ได้', en: 'Cannot show the picture' },
  'watch.unmute': { th: 'เปิดเสียง', en: 'Unmute' },
  'watch.mute': { th: 'ปิดเสียง', en: 'Mute' },
  'watch.audio-hint': {
    th: 'เริ่มแบบปิดเสียงตามข้อกำหนดของเบราว์เซอร์',
    en: 'Starts muted (browser autoplay rules)',
  },
  'watch.fullscreen': { th: 'เต็มจอ', en: 'Full screen' },
  'watch.exit-fullscreen': { th: 'ออกจากเต็มจอ', en: 'Exit full screen' },
  'watch.swipe-hint': {
    th: 'ปัดภาพไปซ้ายหรือขวาเพื่อเปลี่ยนสำนักงานที่ออนไลน์',
    en: 'Swipe the picture left or right for the next live office',
  },
  'watch.stage-label': {
    th: 'ภาพสด ปัดหรือกดลูกศรซ้ายขวาเพื่อเปลี่ยนสำนักงาน',
    en: 'Live picture; swipe or press the left and right arrows to change office',
  },

  /* The state line's detail. */
  'watch.detail-watching': { th: (office) => 'กำลังดู ' + office, en: (office) => 'Watching ' + office },
  'watch.detail-not-sending': {
    th: (state) => 'จังหวัดนี้ยังไม่ได้ส่งภาพ (' + state + ') ภาพจะขึ้นเองเมื่อเริ่มส่ง',
    en: (state) => 'The province is not sending (' + state + '); the picture appears when it does',
  },
  'watch.detail-waiting': { th: 'รอภาพ…', en: 'Waiting for the picture…' },
  'watch.detail-attempt': {
    th: (attempt, office) => (attempt > 1 ? 'ครั้งที่ ' + attempt + ' — ' : '') + office,
    en: (attempt, office) => (attempt > 1 ? 'attempt ' + attempt + ' — ' : '') + office,
  },
  'watch.detail-switching': { th: (office) => 'เปลี่ยนเป็น ' + office, en: (office) => 'Switching to ' + office },
  'watch.stopped': { th: 'หยุดดูแล้ว', en: 'Stopped' },
  'watch.stopped-unreleased': {
    th: 'หยุดดูแล้ว (เซิร์ฟเวอร์จะปิดเองเมื่อหมดเวลา)',
    en: 'Stopped (the relay will time the session out)',
  },
  'watch.error-403': { th: 'บัญชีนี้ดูได้เฉพาะภาพรวม', en: 'This account may only watch the mosaic' },
  'watch.error-406': {
    th: 'เบราว์เซอร์นี้รับสื่อของจังหวัดนี้ไม่ได้',
    en: 'This browser cannot receive this province\'s media',
  },
  'watch.error-401-signed-in': {
    th: 'การเข้าสู่ระบบสิ้นสุดแล้ว กรุณาเข้าสู่ระบบใหม่',
    en: 'Your sign-in has ended: please sign in again',
  },

  /* Choosing what to watch. */
  'watch.choose': { th: 'เลือกสำนักงาน', en: 'Choose' },
  'watch.province-label': { th: 'จังหวัด', en: 'Province' },
  'watch.loading': { th: 'กำลังโหลด…', en: 'Loading…' },
  'watch.state-label': { th: 'สถานะ:', en: 'State:' },
  'watch.unknown': { th: 'ไม่ทราบ', en: 'unknown' },
  'watch.mosaic-name': { th: 'ภาพรวมทุกจังหวัด', en: 'Mosaic of all offices' },
  'watch.mosaic-short': { th: 'ภาพรวม', en: 'Mosaic' },
  'watch.watch': { th: 'ดู', en: 'Watch' },
  'watch.stop': { th: 'หยุด', en: 'Stop' },
  'watch.live-offices': { th: 'สำนักงานที่ออนไลน์', en: 'Live offices' },
  'watch.live-count': { th: (n) => 'ออนไลน์ ' + n + ' แห่ง', en: (n) => n + ' live' },
  'watch.live-none': { th: 'ยังไม่มีสำนักงานออนไลน์', en: 'No office is live yet' },
  'watch.live-list-label': { th: 'สลับไปยังสำนักงานที่ออนไลน์', en: 'Switch to a live office' },

  /* The token, and signing in once. */
  'watch.token-label': { th: 'โทเค็นผู้ชม', en: 'Viewer token' },
  'watch.forget-token': { th: 'ล้างโทเค็นที่จำไว้', en: 'Clear saved token' },
  'watch.show-token': { th: 'แสดงโทเค็น', en: 'Show token' },
  'watch.token-hint': {
    th: 'โทเค็นของประธานหรือรัฐมนตรี ระบบจะจำไว้ในเบราว์เซอร์นี้หลังเชื่อมต่อสำเร็จ ' +
      'หรือกด "เข้าสู่ระบบในเครื่องนี้" ครั้งเดียวแล้วไม่ต้องใช้โทเค็นอีก',
    en: 'The chair\'s or the minister\'s token; remembered in this browser after a successful ' +
      'connection. Or sign in on this device once and never type it again.',
  },
  'watch.sign-in': { th: 'เข้าสู่ระบบในเครื่องนี้', en: 'Sign in on this device' },
  'watch.signing-in': { th: 'กำลังเข้าสู่ระบบ…', en: 'Signing in…' },
  'watch.signed-in': {
    th: (role, until) => 'เข้าสู่ระบบแล้วในฐานะ' + role + ' จนถึง ' + until,
    en: (role, until) => 'Signed in as ' + role + ' until ' + until,
  },
  'watch.role-chair': { th: 'ประธาน', en: 'the chair' },
  'watch.role-minister': { th: 'รัฐมนตรี', en: 'the minister' },
  'watch.role-viewer': { th: 'ผู้ชมภาพรวม', en: 'a mosaic viewer' },
  'watch.sign-out': { th: 'ออกจากระบบ', en: 'Sign out' },
  'watch.signed-out': { th: 'ออกจากระบบแล้ว', en: 'Signed out' },
  'watch.signin-token-needed': {
    th: 'กรอกโทเค็นก่อนเข้าสู่ระบบ',
    en: 'Enter the token to sign in with',
  },
  'watch.signin-office-token': {
    th: 'โทเค็นของสำนักงานใช้เข้าสู่ระบบหน้านี้ไม่ได้',
    en: 'An office\'s token cannot sign in here',
  },
  'watch.signin-failed': {
    th: (status) => 'เข้าสู่ระบบไม่สำเร็จ (HTTP ' + status + ')',
    en: (status) => 'Could not sign in (HTTP ' + status + ')',
  },
  'watch.signin-network': { th: 'ติดต่อเซิร์ฟเวอร์ไม่ได้', en: 'Cannot reach the relay' },
  'watch.link-signed-in': {
    th: 'เข้าสู่ระบบด้วยลิงก์แล้ว เลือกสำนักงานที่ออนไลน์เพื่อดูภาพ',
    en: 'Signed in with the link: pick a live office to watch',
  },
  'watch.link-used': {
    th: 'ลิงก์นี้ถูกใช้ไปแล้ว กรุณาขอลิงก์ใหม่จากประธาน',
    en: 'This link was already used: ask the chair for a new one',
  },
  'watch.link-expired': {
    th: 'ลิงก์นี้หมดอายุแล้ว กรุณาขอลิงก์ใหม่จากประธาน',
    en: 'This link has expired: ask the chair for a new one',
  },
  'watch.link-invalid': {
    th: 'ลิงก์นี้ใช้ไม่ได้ กรุณาขอลิงก์ใหม่จากประธาน',
    en: 'This link is not valid: ask the chair for a new one',
  },

  /* Receive statistics. */
  'watch.stats-heading': { th: 'สถิติการรับ', en: 'Receive statistics' },
  'watch.stat-resolution': { th: 'ความละเอียด', en: 'Resolution' },
  'watch.stat-fps': { th: 'เฟรมต่อวินาที', en: 'Frame rate' },
  'watch.stat-bitrate': { th: 'อัตราบิต', en: 'Bitrate' },
  'watch.stat-codec': { th: 'ตัวแปลงสัญญาณ', en: 'Codec' },
  'watch.stat-audio': { th: 'เสียง', en: 'Audio' },
  'watch.stat-lost': { th: 'แพ็กเก็ตหาย', en: 'Packets lost' },
  'watch.unit-fps': { th: 'เฟรม/วินาที', en: 'fps' },
  'watch.unit-kbps': { th: 'กิโลบิต/วินาที', en: 'kbit/s' },
});
