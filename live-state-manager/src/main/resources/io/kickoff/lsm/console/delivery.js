// The delivery curve: per stage update (seq), % of targeted devices that acked, over time, one series per seq,
// sampled each time the console reads GET /v1/events/{id}/delivery. A LineChart.
import { COLOURS, LineChart } from './chart.js';

const MAX_SAMPLES = 600;

export class DeliveryChart extends LineChart {
  constructor(target) {
    super(target);
    this.times = [];
    this.seqs = [];        // seqs in series order
    this.values = new Map(); // seq → % per sample (null before it was reported)
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

  hasData() {
    return this.seqs.length > 0;
  }

  options() {
    return {
      scales: { y: { range: [0, 100] } },
      axes: [{}, { label: '% acked', values: (u, ticks) => ticks.map((t) => `${t} %`) }],
      series: [{}, ...this.seqs.map((seq, i) => ({
        label: `seq ${seq}`, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false,
        value: (u, v) => (v == null ? '—' : `${v} %`),
      }))],
    };
  }
}
