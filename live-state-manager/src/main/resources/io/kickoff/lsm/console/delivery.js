// The delivery curve: per stage update (seq), % of targeted devices that acked, over time, one series per seq,
// sampled each time the console reads GET /v1/events/{id}/delivery. Drawn with uPlot (from its WebJar).
import uPlot from './vendor/uplot/uPlot.esm.js';

const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2'];
const MAX_SAMPLES = 600;

export class DeliveryChart {
  constructor(target) {
    this.target = target;
    this.times = [];
    this.seqs = [];        // seqs in series order
    this.values = new Map(); // seq → % per sample (null before it was reported)
    this.plot = null;
    target.replaceChildren();
  }

  /** One reading: at {@code time} (unix seconds), the deliveries of the answer. */
  add(time, deliveries) {
    for (const d of deliveries.slice().sort((a, b) => a.seq - b.seq)) {
      if (!this.values.has(d.seq)) {
        this.values.set(d.seq, this.times.map(() => null));
        this.seqs.push(d.seq);
        this.rebuild = true;
      }
    }
    this.times.push(time);
    for (const seq of this.seqs) {
      const d = deliveries.find((x) => x.seq === seq);
      this.values.get(seq).push(d ? d.acked_percent : null);
    }
    if (this.times.length > MAX_SAMPLES) {
      this.times.shift();
      for (const series of this.values.values()) series.shift();
    }
    this.draw();
  }

  data() {
    return [this.times, ...this.seqs.map((seq) => this.values.get(seq))];
  }

  draw() {
    if (!this.seqs.length) return;
    if (!this.plot || this.rebuild) {
      if (this.plot) this.plot.destroy();
      this.rebuild = false;
      const width = Math.max(280, this.target.clientWidth || 560);
      this.plot = new uPlot({
        width, height: 220,
        scales: { y: { range: [0, 100] } },
        axes: [{}, { label: '% acked', values: (u, ticks) => ticks.map((t) => `${t} %`) }],
        series: [{}, ...this.seqs.map((seq, i) => ({
          label: `seq ${seq}`, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false,
          value: (u, v) => (v == null ? '—' : `${v} %`),
        }))],
      }, this.data(), this.target);
    } else {
      this.plot.setData(this.data());
    }
  }

  destroy() {
    if (this.plot) this.plot.destroy();
    this.plot = null;
    this.target.replaceChildren();
  }
}
