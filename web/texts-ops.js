/* briefing-relay: the texts of the operations room (ops.html and its
 * modules ops*.js, relay-watch.js): each entry in Thai and English; the
 * page shows one language at a time (i18n.js). Keys start with "ops." so
 * that they never meet another page's. Import it for its side effect. */

import { registerTexts } from './i18n.js';

registerTexts({
  /* The masthead. */
  'ops.page-title': { th: 'ห้องปฏิบัติการ ศปก.รง.', en: 'Operations room' },
  'ops.heading': { th: 'ศปก.รง. ประชุมติดตามสถานการณ์ประจำวัน', en: 'Operations room — daily briefing' },
  'ops.nav-figures': { th: 'ตัวเลขรายจังหวัด', en: 'Provincial figures' },
  'ops.nav-review': { th: 'ย้อนดูการประชุม', en: 'Review briefings' },
  'ops.token': { th: 'โทเค็นประธาน', en: 'Chair token' },
  'ops.connect': { th: 'เชื่อมต่อ', en: 'Connect' },
  'ops.stop': { th: 'หยุดรับภาพ', en: 'Stop' },
  'ops.publish': { th: 'ส่งภาพห้องประชุม', en: 'Send our camera' },
  'ops.unpublish': { th: 'หยุดส่งภาพห้องประชุม', en: 'Stop our camera' },
  'ops.help-button': { th: 'ปุ่มลัด', en: 'Shortcuts' },
  'ops.help-button-title': { th: 'ปุ่มลัดบนแป้นพิมพ์ (กด ?)', en: 'Keyboard shortcuts (press ?)' },

  /* The fixed bar: who speaks, and the relay out of reach. */
  'ops.speaking': { th: 'กำลังพูด:', en: 'Speaking:' },
  'ops.nobody': { th: 'ยังไม่มีผู้ได้รับสิทธิ์พูด', en: 'Nobody has the floor' },
  'ops.holder-muted': { th: 'ปิดไมค์อยู่', en: 'muted' },
  'ops.heard': { th: (office) => 'เสียงที่ได้ยิน: ' + office, en: (office) => 'Heard: ' + office },
  'ops.relay-down': {
    th: (time) => 'ติดต่อเซิร์ฟเวอร์ไม่ได้ตั้งแต่ ' + time +
      ' — ข้อมูลบนหน้านี้อาจไม่เป็นปัจจุบัน กำลังลองเชื่อมต่อใหม่…',
    en: (time) => 'The relay is unreachable since ' + time +
      ': what this page shows may be out of date. Reconnecting…',
  },
  'ops.relay-back': {
    th: 'เชื่อมต่อเซิร์ฟเวอร์ได้อีกครั้ง โหลดสถานะใหม่ทั้งหมดแล้ว',
    en: 'The relay is reachable again; the whole state was read again',
  },

  /* The mosaic. */
  'ops.mosaic-heading': { th: 'ภาพรวมทุกจังหวัด', en: 'Mosaic' },
  'ops.state-idle': { th: 'ยังไม่ได้รับภาพ', en: 'Not connected' },
  'ops.state-watching': { th: 'กำลังรับภาพ', en: 'Receiving' },
  'ops.layout-group': { th: 'รูปแบบภาพ', en: 'Layout' },
  'ops.grid': { th: 'ตาราง', en: 'Grid' },
  'ops.spotlight': { th: 'เน้นผู้พูด', en: 'Spotlight' },
  'ops.take-floor': { th: 'เรียกคืนสิทธิ์พูด', en: 'Take the floor back' },
  'ops.fullscreen': { th: 'เต็มจอ', en: 'Fullscreen' },
  'ops.fullscreen-exit': { th: 'ออกจากเต็มจอ', en: 'Exit fullscreen' },
  'ops.mosaic-hint': {
    th: 'คลิกที่ภาพของจังหวัดเพื่อให้สิทธิ์พูด',
    en: 'Click an office in the picture to give it the floor',
  },
  'ops.mosaic-label': { th: 'ภาพรวมทุกจังหวัด คลิกเพื่อให้สิทธิ์พูด', en: 'Mosaic: click an office to give it the floor' },
  'ops.mosaic-info': {
    th: (o) => 'ภาพรวม ' + o.width + '×' + o.height + ' ' + o.codec + ' ' + o.fps + ' เฟรม/วินาที · ' +
      'จังหวัดเห็น: ' + o.program + ' · ในเสียงประชุม ' + o.members + ' แห่ง',
    en: (o) => 'Mosaic ' + o.width + '×' + o.height + ' ' + o.codec + ' ' + o.fps + ' fps · ' +
      'the provinces see: ' + o.program + ' · ' + o.members + ' in the audio mix',
  },
  'ops.fullscreen-refused': { th: 'เบราว์เซอร์ไม่อนุญาตให้แสดงเต็มจอ', en: 'The browser refused fullscreen' },

  /* Floor, mutes and their refusals. */
  'ops.control-failed': {
    th: (reason) => 'คำสั่งไม่สำเร็จ: ' + reason,
    en: (reason) => 'Not done: ' + reason,
  },
  'ops.chair-only': { th: 'ต้องใช้โทเค็นประธาน', en: 'The chair token is needed' },
  'ops.not-now': { th: 'ทำไม่ได้ในสถานะนี้', en: 'Not possible now' },
  'ops.unreachable': { th: 'ติดต่อเซิร์ฟเวอร์ไม่ได้', en: 'Cannot reach the relay' },
  'ops.no-briefing-live': { th: 'ไม่มีการประชุมที่กำลังดำเนินอยู่', en: 'No briefing is live' },
  'ops.confirm-title': {
    th: 'ให้สิทธิ์พูดแก่จังหวัดที่ไม่ได้ออนไลน์?',
    en: 'Give the floor to an office that is not live?',
  },
  'ops.confirm-body': {
    th: (office, state) => office + ' ' + state + ' ขณะนี้ จะไม่มีภาพและเสียงจนกว่าจะเชื่อมต่อกลับมา',
    en: (office, state) => office + ' is ' + state + ' now: nobody will see or hear it until it is back.',
  },
  'ops.confirm-give': { th: 'ให้สิทธิ์พูด', en: 'Give the floor' },
  'ops.cancel': { th: 'ยกเลิก', en: 'Cancel' },

  /* The roster. */
  'ops.roster-heading': { th: 'ผู้เข้าร่วม', en: 'Participants' },
  'ops.counts': {
    th: (c) => 'ออนไลน์ ' + c.live + ' แห่ง · สัญญาณหาย ' + c.lost + ' แห่ง · ไม่ได้เชื่อมต่อ ' +
      c.offline + ' แห่ง' + (c.connecting ? ' · กำลังเชื่อมต่อ ' + c.connecting + ' แห่ง' : ''),
    en: (c) => c.live + ' live · ' + c.lost + ' lost · ' + c.offline + ' offline' +
      (c.connecting ? ' · ' + c.connecting + ' connecting' : ''),
  },
  'ops.shown': {
    th: (shown, total) => 'แสดง ' + shown + ' จาก ' + total + ' แห่ง',
    en: (shown, total) => 'showing ' + shown + ' of ' + total,
  },
  'ops.filter': { th: 'แสดง', en: 'Show' },
  'ops.filter-all': { th: 'ทั้งหมด', en: 'All' },
  'ops.filter-live': { th: 'ออนไลน์', en: 'Live' },
  'ops.filter-missing': { th: 'ยังไม่อยู่ (ทุกสถานะที่ไม่ออนไลน์)', en: 'Missing (not live)' },
  'ops.filter-lost': { th: 'สัญญาณหาย', en: 'Lost' },
  'ops.filter-offline': { th: 'ไม่ได้เชื่อมต่อ', en: 'Offline' },
  'ops.sort': { th: 'เรียง', en: 'Sort' },
  'ops.sort-mosaic': { th: 'ตามภาพรวม (แยกภาค)', en: 'As the mosaic (by region)' },
  'ops.sort-missing': { th: 'ยังไม่อยู่ขึ้นก่อน', en: 'Missing first' },
  'ops.sort-name': { th: 'ตามชื่อ', en: 'By name' },
  'ops.sort-code': { th: 'ตามรหัส', en: 'By code' },
  'ops.search': { th: 'ค้นหา', en: 'Search' },
  'ops.search-placeholder': { th: 'ชื่อไทย ชื่ออังกฤษ หรือรหัส', en: 'Thai or English name, or code' },
  'ops.no-match': { th: 'ไม่พบจังหวัดที่ตรงกับที่ค้นหา', en: 'No office matches' },
  'ops.col-office': { th: 'จังหวัด', en: 'Office' },
  'ops.col-state': { th: 'สถานะ', en: 'State' },
  'ops.col-level': { th: 'เสียง', en: 'Level' },
  'ops.col-floor': { th: 'สิทธิ์พูด', en: 'Floor' },
  'ops.col-mic': { th: 'ไมค์', en: 'Mic' },
  'ops.give-floor': { th: 'ให้พูด', en: 'Give floor' },
  'ops.has-floor': { th: 'กำลังพูด', en: 'Speaking' },
  'ops.give-floor-title': {
    th: (office) => 'ให้สิทธิ์พูดแก่ ' + office,
    en: (office) => 'Give the floor to ' + office,
  },
  'ops.region-head': {
    th: (region, live, total) => region + ' · ออนไลน์ ' + live + '/' + total + ' แห่ง',
    en: (region, live, total) => region + ' · ' + live + '/' + total + ' live',
  },
  'ops.region.central': { th: 'ภาคกลาง', en: 'Central' },
  'ops.region.east': { th: 'ภาคตะวันออก', en: 'East' },
  'ops.region.north': { th: 'ภาคเหนือ', en: 'North' },
  'ops.region.northeast': { th: 'ภาคตะวันออกเฉียงเหนือ', en: 'Northeast' },
  'ops.region.south': { th: 'ภาคใต้', en: 'South' },
  'ops.region.west': { th: 'ภาคตะวันตก', en: 'West' },
  'ops.region.other': { th: (name) => 'ภาค ' + name, en: (name) => 'Region ' + name },
  'ops.central-room': { th: 'ห้องประชุมส่วนกลาง', en: 'Central room' },

  /* The network-quality dot. */
  'ops.quality.good': { th: 'สัญญาณดี', en: 'Good connection' },
  'ops.quality.fair': { th: 'สัญญาณพอใช้', en: 'Fair connection' },
  'ops.quality.poor': { th: 'สัญญาณไม่ดี', en: 'Poor connection' },
  'ops.quality.unknown': { th: 'กำลังวัดสัญญาณ', en: 'Measuring the connection' },
  'ops.quality.none': { th: 'ไม่ได้ส่งสัญญาณ', en: 'Not sending' },
  /* An office whose devices took over from each other: a narrow mark in
   * the state column, the words in its tooltip. */
  'ops.takeover-mark': { th: (n) => '⇄ ' + n, en: (n) => '⇄ ' + n },
  'ops.takeover-title': {
    th: (n, time) => 'อุปกรณ์อื่นของสำนักงานส่งภาพแทน ' + n + ' ครั้ง ล่าสุดเมื่อ ' + time + ' น.',
    en: (n, time) => 'Another device of the office took over ' + n + (n === 1 ? ' time' : ' times') +
      ', last at ' + time,
  },
  'ops.quality-detail': {
    th: (loss, rtt) => 'สูญหาย ' + loss + ' % · หน่วงไปกลับ ' + (rtt === null ? 'ไม่ทราบ' : rtt + ' มิลลิวินาที'),
    en: (loss, rtt) => 'loss ' + loss + ' % · round trip ' + (rtt === null ? 'unknown' : rtt + ' ms'),
  },

  /* The briefing panel (ops-briefing.js, ops-agenda.js). */
  'ops.briefing-heading': { th: 'การประชุม', en: 'Briefing' },
  'ops.briefing-title': { th: 'หัวข้อ', en: 'Title' },
  'ops.briefing-title-placeholder': { th: 'การประชุม ศปก.รง.', en: 'Daily briefing' },
  'ops.briefing-limit': { th: 'เวลาต่อจังหวัด (นาที)', en: 'Turn limit (min)' },
  'ops.briefing-deadline': { th: 'มาสายหลัง (นาที)', en: 'Late after (min)' },
  'ops.briefing-start': { th: 'เริ่มประชุม', en: 'Start briefing' },
  'ops.briefing-start-planned': { th: 'เริ่มตามวาระที่เตรียม', en: 'Start the prepared briefing' },
  'ops.briefing-plan': { th: 'เตรียมวาระก่อน', en: 'Prepare the agenda first' },
  'ops.briefing-end': { th: 'จบประชุม', en: 'End briefing' },
  'ops.briefing-none': { th: 'ไม่มีการประชุม', en: 'No briefing' },
  'ops.briefing-state.planned': { th: 'เตรียมการ', en: 'planned' },
  'ops.briefing-state.live': { th: 'กำลังประชุม', en: 'live' },
  'ops.briefing-state.ended': { th: 'จบแล้ว', en: 'ended' },
  'ops.briefing-state.interrupted': { th: 'ขัดข้อง', en: 'interrupted' },
  'ops.attendance-heading': { th: 'การเข้าร่วม', en: 'Attendance' },
  'ops.attendance-summary': {
    th: (came, expected, late, absent) => 'เข้าร่วม ' + came + '/' + expected + ' แห่ง · สาย ' + late +
      ' แห่ง · ขาด ' + absent + ' แห่ง',
    en: (came, expected, late, absent) => came + '/' + expected + ' present, ' + late + ' late, ' +
      absent + ' absent',
  },
  'ops.absent': { th: (names) => 'ขาด: ' + names, en: (names) => 'Absent: ' + names },
  'ops.left': { th: (names) => 'ออกไปแล้ว: ' + names, en: (names) => 'Left: ' + names },
  'ops.turn-heading': { th: 'ผู้พูดขณะนี้', en: 'Now speaking' },
  'ops.turn-item': { th: (title) => 'หัวข้อ: ' + title, en: (title) => 'Item: ' + title },
  'ops.next': { th: 'ถัดไป', en: 'Next' },
  'ops.agenda-heading': { th: 'วาระ', en: 'Agenda' },
  'ops.agenda-status.pending': { th: 'รอ', en: 'pending' },
  'ops.agenda-status.current': { th: 'กำลังดำเนินการ', en: 'current' },
  'ops.agenda-status.done': { th: 'เสร็จ', en: 'done' },
  'ops.agenda-status.skipped': { th: 'ข้าม', en: 'skipped' },
  'ops.agenda-not-here': { th: '(ไม่อยู่)', en: '(not here)' },
  'ops.agenda-office': { th: 'เพิ่มจังหวัด', en: 'Add an office' },
  'ops.agenda-office-none': { th: '— เลือกจังหวัด —', en: '— office —' },
  'ops.agenda-item': { th: 'หรือหัวข้อ', en: 'or an item' },
  'ops.agenda-minutes': { th: 'นาที', en: 'Minutes' },
  'ops.agenda-add': { th: 'เพิ่ม', en: 'Add' },
  'ops.agenda-up': { th: 'เลื่อนขึ้น', en: 'Move up' },
  'ops.agenda-down': { th: 'เลื่อนลง', en: 'Move down' },
  'ops.agenda-remove': { th: 'ลบ', en: 'Remove' },

  /* The keyboard shortcuts and their help. */
  'ops.help-title': { th: 'ปุ่มลัดบนแป้นพิมพ์', en: 'Keyboard shortcuts' },
  'ops.key.grid': { th: 'ภาพแบบตาราง', en: 'Grid layout' },
  'ops.key.spotlight': { th: 'ภาพแบบเน้นผู้พูด', en: 'Spotlight layout' },
  'ops.key.next': { th: 'วาระถัดไป (ให้สิทธิ์พูดจังหวัดถัดไป)', en: 'Next on the agenda' },
  'ops.key.take-back': { th: 'เรียกคืนสิทธิ์พูด', en: 'Take the floor back' },
  'ops.key.mute': { th: 'ปิดไมค์หรือเปิดไมค์ของผู้ได้รับสิทธิ์พูด', en: 'Mute or unmute the floor holder' },
  'ops.key.fullscreen': { th: 'ภาพรวมเต็มจอ (จอแสดงผลบนผนัง)', en: 'Fullscreen mosaic (wall display)' },
  'ops.key.help': { th: 'แสดงหน้าต่างนี้', en: 'Show this help' },
  'ops.key.escape': { th: 'ปิดหน้าต่างนี้ หรือออกจากเต็มจอ', en: 'Close this help, or leave fullscreen' },
  'ops.help-note': {
    th: 'ปุ่มลัดไม่ทำงานขณะพิมพ์ในช่องข้อความ',
    en: 'Shortcuts do nothing while you type in a field',
  },
  'ops.close': { th: 'ปิดหน้าต่าง', en: 'Close' },
});
