/* briefing-relay: the texts of the review console (review.html, review.js,
 * review-panels.js), Thai and English. Import it for its side effect. */

import { registerTexts } from './i18n.js';

registerTexts({
  'review.heading': { th: 'ย้อนดูการประชุม ศปก.รง.', en: 'Briefing review' },
  'review.token': { th: 'โทเค็น', en: 'Token' },
  'review.from': { th: 'ตั้งแต่', en: 'From' },
  'review.to': { th: 'ถึง', en: 'To' },
  'review.show': { th: 'แสดง', en: 'Show' },

  /* The list of briefings. */
  'review.briefings': { th: 'การประชุม', en: 'Briefings' },
  'review.col-date': { th: 'วันที่', en: 'Date' },
  'review.col-title': { th: 'หัวข้อ', en: 'Title' },
  'review.col-state': { th: 'สถานะ', en: 'State' },
  'review.col-start': { th: 'เริ่ม', en: 'Start' },
  'review.col-length': { th: 'ความยาว', en: 'Length' },
  'review.col-present': { th: 'เข้าร่วม', en: 'Present' },
  'review.col-late': { th: 'สาย', en: 'Late' },
  'review.col-absent': { th: 'ขาด', en: 'Absent' },
  'review.col-turns': { th: 'ผู้พูด', en: 'Turns' },
  'review.count': {
    th: (n) => `การประชุม ${n} ครั้ง`,
    en: (n) => (n === 1 ? '1 briefing' : `${n} briefings`),
  },

  /* The chosen briefing and its player. */
  'review.choose': { th: 'เลือกการประชุม', en: 'Choose a briefing' },
  'review.turns': {
    th: (n) => `ผู้พูด ${n} ราย`,
    en: (n) => (n === 1 ? '1 turn' : `${n} turns`),
  },
  'review.no-recording': { th: 'ไม่มีการบันทึกภาพ', en: 'no program recording' },
  'review.position': {
    th: (clock, file, files) => `${clock} · ไฟล์ ${file}/${files}`,
    en: (clock, file, files) => `${clock} · file ${file}/${files}`,
  },
  'review.exports': { th: 'ส่งออก', en: 'Export' },
  'review.export-chapter': { th: 'ตัดช่วงนี้ (MP4)', en: 'Export this chapter (MP4)' },
  'review.export-csv': { th: 'รายงาน CSV', en: 'Report CSV' },
  'review.print-report': { th: 'หน้าพิมพ์', en: 'Printable report' },

  /* The figures of the office whose turn plays. */
  'review.office-figures': { th: 'ตัวเลขของจังหวัด', en: 'Figures of the office' },
  'review.choose-chapter': { th: 'เลือกช่วงของจังหวัดเพื่อดูตัวเลข', en: 'Choose an office\'s chapter' },
  'review.no-figures': { th: 'ไม่ได้รายงานตัวเลข', en: 'No figures reported' },
  'review.figures-version': {
    th: (version, time) => `ฉบับที่ ${version} · รับเมื่อ ${time}`,
    en: (version, time) => `Version ${version} · received ${time}`,
  },

  /* The chapters: one per turn, with its own files. */
  'review.chapters': { th: 'ลำดับผู้พูด', en: 'Chapters' },
  'review.original': {
    th: (container) => `ไฟล์ต้นฉบับ (${container})`,
    en: (container) => `original (${container})`,
  },
  'review.audio-clip': { th: 'คลิปเสียง', en: 'audio clip' },

  /* The roll call. */
  'review.attendance': { th: 'การเข้าร่วม', en: 'Attendance' },
  'review.attendance-counts': {
    th: (here, expected, late, absent) => `${here}/${expected} (สาย ${late}, ขาด ${absent})`,
    en: (here, expected, late, absent) => `${here}/${expected} (${late} late, ${absent} absent)`,
  },
  'review.col-office': { th: 'จังหวัด', en: 'Office' },
  'review.col-region': { th: 'ภาค', en: 'Region' },
  'review.col-status': { th: 'สถานะ', en: 'Status' },
  'review.col-first-joined': { th: 'เข้าครั้งแรก', en: 'First joined' },
  'review.col-present-time': { th: 'อยู่ในการประชุม', en: 'Time present' },
  'review.col-left': { th: 'ออกกลางคัน (ครั้ง)', en: 'Times left' },

  /* What failed. */
  'review.failed': {
    th: (what, why) => `${what}: ${why}`,
    en: (what, why) => `${what}: ${why}`,
  },
  'review.what-list': { th: 'รายการการประชุม', en: 'The list of briefings' },
  'review.what-briefing': { th: 'การประชุม', en: 'The briefing' },
  'review.what-csv': { th: 'รายงาน CSV', en: 'The CSV report' },
});
