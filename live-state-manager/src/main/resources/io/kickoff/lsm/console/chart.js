// A line chart drawn with uPlot (from its WebJar), shared by the delivery and the audience curves: built again when
// its series change, given new data otherwise.
import uPlot from './vendor/uplot/uPlot.esm.js';

export const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2'];

/** Subclasses give hasData(), data() (uPlot's columns) and options() (scales, axes, series); set rebuild on new series. */
export class LineChart {
  constructor(target) {
    this.target = target;
    this.plot = null;
    this.rebuild = false;
    target.replaceChildren();
  }

  draw() {
    if (!this.hasData()) return;
    if (!this.plot || this.rebuild) {
      if (this.plot) this.plot.destroy();
      this.rebuild = false;
      const width = Math.max(280, this.target.clientWidth || 560);
      this.plot = new uPlot({ width, height: 220, ...this.options() }, this.data(), this.target);
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
