/* briefing-relay: the texts of the chair's "link for a phone" on ops.html
 * (ops-phone-link.js), Thai and English; kept apart from the operations
 * page's own catalogue so that the two change independently. Import it for
 * its side effect. */

import { registerTexts } from './i18n.js';

registerTexts({
  'phone-link.open': { th: 'ลิงก์สำหรับโทรศัพท์', en: 'Link for a phone' },
  'phone-link.open-title': {
    th: 'สร้างลิงก์เข้าสู่ระบบครั้งเดียวสำหรับโทรศัพท์ของรัฐมนตรี',
    en: 'Make a one-time sign-in link for the minister\'s phone',
  },
  'phone-link.heading': { th: 'ลิงก์เข้าสู่ระบบสำหรับโทรศัพท์', en: 'Sign-in link for a phone' },
  'phone-link.explain': {
    th: 'สแกนด้วยกล้องโทรศัพท์ หรือส่งลิงก์ให้ ลิงก์ใช้ได้ครั้งเดียวและเข้าดูภาพได้เท่านั้น',
    en: 'Scan it with the phone\'s camera, or send the link. It works once and only lets the phone watch.',
  },
  'phone-link.role': { th: 'สิทธิ์', en: 'Role' },
  'phone-link.role-minister': { th: 'รัฐมนตรี (ดูรายจังหวัดและภาพรวม)', en: 'Minister (any office and the mosaic)' },
  'phone-link.role-viewer': { th: 'ผู้ชม (ภาพรวมเท่านั้น)', en: 'Viewer (the mosaic only)' },
  'phone-link.make': { th: 'สร้างลิงก์ใหม่', en: 'Make a new link' },
  'phone-link.making': { th: 'กำลังสร้างลิงก์…', en: 'Making the link…' },
  'phone-link.qr-alt': { th: 'คิวอาร์โค้ดของลิงก์เข้าสู่ระบบ', en: 'QR code of the sign-in link' },
  'phone-link.copy': { th: 'คัดลอกลิงก์', en: 'Copy the link' },
  'phone-link.copied': { th: 'คัดลอกแล้ว', en: 'Copied' },
  'phone-link.expires-in': {
    th: (left) => 'หมดอายุใน ' + left + ' ใช้ได้ครั้งเดียว',
    en: (left) => 'Expires in ' + left + '; works once',
  },
  'phone-link.expired': {
    th: 'ลิงก์นี้หมดอายุแล้ว สร้างลิงก์ใหม่',
    en: 'This link has expired: make a new one',
  },
  'phone-link.close': { th: 'ปิดหน้าต่าง', en: 'Close' },
  'phone-link.need-chair': {
    th: 'กรอกโทเค็นประธานก่อน',
    en: 'Enter the chair\'s token first',
  },
  'phone-link.chair-only': { th: 'เฉพาะประธานสร้างลิงก์ได้', en: 'Only the chair makes links' },
  'phone-link.too-many': {
    th: 'มีลิงก์ที่ยังไม่ได้ใช้มากเกินไป รอให้หมดอายุก่อน',
    en: 'Too many links are waiting to be used: wait for them to expire',
  },
  'phone-link.failed': {
    th: (status) => 'สร้างลิงก์ไม่สำเร็จ (HTTP ' + status + ')',
    en: (status) => 'Could not make the link (HTTP ' + status + ')',
  },
  'phone-link.network': { th: 'ติดต่อเซิร์ฟเวอร์ไม่ได้', en: 'Cannot reach the relay' },
});
