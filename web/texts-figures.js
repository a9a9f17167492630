/* briefing-relay: the texts of the figures table (figures.html, figures.js),
 * Thai and English. Import it for its side effect. */

import { registerTexts } from './i18n.js';

registerTexts({
  'figures.heading': { th: 'ตัวเลขรายงานประจำวันรายจังหวัด', en: 'Provincial figures of the day' },
  'figures.token': { th: 'โทเค็นประธาน', en: 'Chair token' },
  'figures.date': { th: 'วันที่', en: 'Date' },
  'figures.show': { th: 'แสดง', en: 'Show' },
  'figures.csv': { th: 'ดาวน์โหลด CSV', en: 'Download CSV' },
  'figures.summary': { th: 'สรุป', en: 'Summary' },
  'figures.missing': { th: 'ยังรายงานไม่ครบ', en: 'Missing required figures' },
  'figures.by-province': { th: 'ตัวเลขรายจังหวัด', en: 'Figures by province' },

  /* The table. */
  'figures.col-province': { th: 'จังหวัด', en: 'Province' },
  'figures.col-version': { th: 'ฉบับ', en: 'Version' },
  'figures.col-received': { th: 'เวลารับ', en: 'Received' },
  'figures.required': { th: 'ต้องรายงาน', en: 'Required' },
  'figures.reporting': { th: 'จำนวนจังหวัดที่รายงาน', en: 'Provinces reporting' },
  'figures.channel-https': { th: 'ส่งทาง HTTPS', en: 'Sent over HTTPS' },
  'figures.channel-data-channel': { th: 'ส่งทางช่องข้อมูลของ WebRTC', en: 'Sent over the WebRTC data channel' },
  'figures.lacks': {
    th: (fields) => 'ยังขาด: ' + fields,
    en: (fields) => 'Lacks: ' + fields,
  },
  'figures.not-reported': { th: 'ยังไม่รายงาน', en: 'Not reported' },

  /* The summary and the state line. */
  'figures.summary-line': {
    th: (date, reporting, total, complete) =>
      `${date}: รายงานแล้ว ${reporting} จาก ${total} จังหวัด ครบถ้วน ${complete} จังหวัด`,
    en: (date, reporting, total, complete) =>
      `${date}: ${reporting} of ${total} provinces reporting, ${complete} complete`,
  },
  'figures.live': {
    th: (time) => 'ข้อมูลสด ณ ' + time,
    en: (time) => 'Live, as of ' + time,
  },
  'figures.csv-failed': {
    th: (reason) => 'ดาวน์โหลด CSV ไม่สำเร็จ: ' + reason,
    en: (reason) => 'Could not download the CSV: ' + reason,
  },
});
