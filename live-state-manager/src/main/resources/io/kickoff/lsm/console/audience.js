// The audience curve: devices playing the event over the last hour, one line per segment plus the total, from
// GET /v1/events/{id}/audience (one point per second; later reads ask only for what is new with ?since=).
// A LineChart, like the delivery curve.
import { COLOURS, LineChart } from './chart.js';

const HOUR_S = 3600;
const NO_SEGMENT = '(no segment)';

export class AudienceChart extends LineChart {
  constructor(target) {
    super(target);
    this.points = new Map(); // unix second → {viewers, segments}
    this.segments = [];      // segment names in series order
  }

  /** The series points of one answer; a point of a second already held replaces it. */
  add(series) {
    for (const p of series) {
      const t = Math.floor(Date.parse(p.t) / 1000);
      this.points.set(t, p);
      for (const segment of Object.keys(p.segments)) {
        if (!this.segments.includes(segment)) {
          this.segments.push(segment);
          this.segments.sort();
          this.rebuild = true;
        }
      }
    }
    const newest = Math.max(...this.points.keys());
    for (const t of this.points.keys()) if (t <= newest - HOUR_S) this.points.delete(t);
    this.draw();
  }

  data() {
    const times = [...this.points.keys()].sort((a, b) => a - b);
    const at = (t) => this.points.get(t);
    return [times, times.map((t) => at(t).viewers),
      ...this.segments.map((s) => times.map((t) => (s in at(t).segments ? at(t).segments[s] : null)))];
  }

  hasData() {
    return this.points.size > 0;
  }

  options() {
    return {
      scales: { y: { range: (u, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
      axes: [{}, { label: 'viewers' }],
      series: [{}, { label: 'total', stroke: '#111827', width: 2 },
        ...this.segments.map((s, i) => ({ label: s || NO_SEGMENT, stroke: COLOURS[i % COLOURS.length], width: 1.5 }))],
    };
  }
}

/** "LIVE → 790 plays in 60 s": what the latest broadcast turned into; null without one. */
export function playsAfter(broadcasts) {
  if (!broadcasts.length) return null;
  const b = broadcasts[broadcasts.length - 1];
  return `${b.stage} \u2192 ${b.plays.toLocaleString('en')} plays in ${b.window_seconds} s`;
}

/** "812 watching: us-en 500 · uk-en 312" */
export function watching(audience) {
  const parts = Object.entries(audience.segments).sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s || NO_SEGMENT} ${n.toLocaleString('en')}`);
  return `${audience.viewers.toLocaleString('en')} watching${parts.length ? `: ${parts.join(' \u00b7 ')}` : ''}`;
}
