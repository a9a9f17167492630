// What bench/smoke requires of each run's JSON document beyond parsing: that
// the offices it loads the relay with went live and media flowed (counts,
// never rates: a smoke run on a loaded machine is judged on what happened,
// not how fast).
//
//   node bench/smoke-check.mjs NAME FILE    # exit 1 with the reasons, 0 if fine
import fs from 'node:fs';

const [name, file] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');
const start = text.indexOf('{');
if (start < 0) {
  console.error('no JSON document in the output');
  process.exit(1);
}
let r;
try {
  r = JSON.parse(text.slice(start, text.lastIndexOf('}') + 1));
} catch (e) {
  console.error(`the output is not one JSON document: ${e.message}`);
  process.exit(1);
}

const problems = [];
const expect = (ok, what) => {
  if (!ok) problems.push(what);
};
const nonEmpty = (a) => Array.isArray(a) && a.length > 0;

switch (name) {
  case 'scale':
    expect(nonEmpty(r.levels), 'no level measured');
    for (const l of r.levels ?? []) {
      expect(l.live === l.provinces && l.all_live_after_s !== null,
        `${l.provinces} provinces: ${l.live} live (all_live_after_s ${l.all_live_after_s})`);
      expect(l.frames_decoded_min > 0, `${l.provinces} provinces: a live one decoded no frame`);
      expect(l.mosaic_viewer_frames > 0, `${l.provinces} provinces: the mosaic viewer got no frame`);
    }
    break;
  case 'mosaic':
    expect(r.live === r.provinces, `${r.live} of ${r.provinces} provinces live`);
    expect(r.viewers === 1 + r.program_viewers, `${r.viewers} viewers, wanted ${1 + r.program_viewers}`);
    expect(r.mosaic_viewer_frames > 0, 'the mosaic viewer decoded no frame');
    break;
  case 'forward':
    expect(nonEmpty(r.levels), 'no level measured');
    for (const l of r.levels ?? []) {
      expect(l.live === l.provinces, `${l.provinces} provinces: ${l.live} live`);
      expect(l.viewers === l.provinces && l.video_packets_min > 0,
        `${l.provinces} provinces: ${l.viewers} viewers, fewest video packets ${l.video_packets_min}`);
    }
    break;
  case 'reports': {
    const dc = r.data_channels;
    expect(!dc || (dc.wanted > 0 && dc.open === dc.wanted), `data channels open: ${JSON.stringify(dc)}`);
    const phases = Object.entries(r.phases ?? {});
    expect(phases.length > 0, 'no phase ran');
    for (const [phase, p] of phases) {
      expect(p.accepted > 0, `${phase}: nothing accepted`);
      expect(!p.refused, `${phase}: ${p.refused} refused (${JSON.stringify(p.refused_sample)})`);
    }
    break;
  }
  case 'compare-janus':
    for (const server of ['ours', 'janus']) {
      const s = r[server];
      expect(s && nonEmpty(s.forwarding), `${server}: no forwarding level`);
      for (const l of s?.forwarding ?? []) {
        expect(!l.error && l.subscribers_without_video === 0 && l.forwarded_streams > 0,
          `${server} ${l.publishers}x${l.subscribers_each}: ${l.error ?? `${l.subscribers_without_video} subscribers without video`}`);
      }
      for (const a of s?.audio_mix ?? []) expect(!a.error, `${server} audio mix of ${a.participants}: ${a.error}`);
    }
    break;
  case 'recording':
    expect(r.on?.recorded_mib_s > 0, 'nothing was recorded while the briefing was live');
    expect(r.recording_failures === 0, `${r.recording_failures} recording failures`);
    expect(r.review?.time_to_first_frame_ms > 0 && r.review.seeks?.length > 0,
      'the review page showed no frame or made no seek');
    break;
  case 'simulate-provinces':
    expect(r.offices > 0 && r.never_live?.length === 0, `never live: ${JSON.stringify(r.never_live)}`);
    expect(r.at_end?.live === r.offices, `at the end ${r.at_end?.live} of ${r.offices} live`);
    for (const o of r.offices_detail ?? []) expect(o.frames_decoded > 0, `${o.code}: no frame decoded`);
    break;
  default:
    problems.push(`no check for ${name}`);
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
