/* briefing-relay: the texts of the printable briefing report
 * (briefing-report.html, briefing-report.js), Thai and English. Import it
 * for its side effect. */

import { registerTexts } from './i18n.js';

registerTexts({
  'report.token': { th: 'โทเค็น', en: 'Token' },
  'report.show': { th: 'แสดง', en: 'Show' },
  'report.print': { th: 'พิมพ์', en: 'Print' },
  'report.org': {
    th: 'กระทรวงแรงงาน ศูนย์ปฏิบัติการ (ศปก.รง.)',
    en: 'Ministry of Labour, operations centre',
  },
  'report.page-title': {
    th: (title, date) => `${title} ${date} — รายงานการประชุม`,
    en: (title, date) => `${title} ${date} — briefing report`,
  },
  'report.no-id': {
    th: 'ที่อยู่ของหน้านี้ต้องระบุการประชุม (?id=)',
    en: 'The address needs the briefing (?id=)',
  },

  /* The facts at the top. */
  'report.date': { th: 'วันที่', en: 'Date' },
  'report.state': { th: 'สถานะ', en: 'State' },
  'report.time': { th: 'เวลา', en: 'Time' },
  'report.time-span': {
    th: (start, end) => `${start} – ${end} (เวลาประเทศไทย)`,
    en: (start, end) => `${start} – ${end} (Bangkok time)`,
  },
  'report.length': { th: 'ความยาว', en: 'Length' },
  'report.attended': { th: 'เข้าร่วม', en: 'Attended' },
  'report.attended-counts': {
    th: (here, expected, late, absent) => `${here}/${expected} (มาสาย ${late}, ขาด ${absent})`,
    en: (here, expected, late, absent) => `${here}/${expected} (${late} late, ${absent} absent)`,
  },
  'report.turn-count': { th: 'จำนวนผู้พูด', en: 'Turns' },

  /* The roll call. */
  'report.attendance': { th: 'การเข้าร่วม', en: 'Attendance' },
  'report.col-office': { th: 'จังหวัด', en: 'Office' },
  'report.col-region': { th: 'ภาค', en: 'Region' },
  'report.col-status': { th: 'สถานะ', en: 'Status' },
  'report.col-first-joined': { th: 'เข้าครั้งแรก', en: 'First joined' },
  'report.col-present-min': { th: 'อยู่ (นาที)', en: 'Present (min)' },

  /* The turns. */
  'report.turns': { th: 'ลำดับผู้พูด', en: 'Turns' },
  'report.col-start': { th: 'เริ่ม', en: 'Start' },
  'report.col-end': { th: 'จบ', en: 'End' },
  'report.col-duration': { th: 'ความยาว', en: 'Duration' },
  'report.col-limit': { th: 'เวลาที่กำหนด', en: 'Limit' },
  'report.col-note': { th: 'หมายเหตุ', en: 'Note' },
  'report.total': { th: 'รวม', en: 'Total' },

  /* The figures. */
  'report.figures': { th: 'ตัวเลขรายจังหวัด', en: 'Figures by office' },
});
