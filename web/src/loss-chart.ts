// loss-chart.ts: the live chart of training and validation loss (uPlot). Points are pushed as
// training reports them; the chart redraws at most a few times a second, so a fast run never
// keeps the main thread busy drawing. A text summary beside it serves screen readers.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { byId } from './dom.js';

const REDRAW_MS = 250;
export const TRAIN_COLOR = '#1d4ed8';
export const VAL_COLOR = '#b45309';

export class LossChart {
  #steps: number[] = [];
  #loss: (number | null)[] = [];
  #val: (number | null)[] = [];
  #plot: uPlot;
  #pending = false;
  #lastDraw = 0;
  /** Number of redraws so far (the end-to-end test checks the chart moved). */
  redraws = 0;

  constructor(private readonly box: HTMLElement) {
    const opts: uPlot.Options = {
      width: Math.max(240, box.clientWidth),
      height: 300,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { label: 'step', stroke: '#374151', grid: { stroke: '#e5e7eb' } },
        { label: 'loss', stroke: '#374151', grid: { stroke: '#e5e7eb' }, size: 50 },
      ],
      series: [
        { label: 'step' },
        { label: 'training', stroke: TRAIN_COLOR, width: 1.5, spanGaps: true },
        { label: 'validation', stroke: VAL_COLOR, width: 2.5, spanGaps: true, points: { show: true, size: 6, fill: VAL_COLOR } },
      ],
    };
    this.#plot = new uPlot(opts, [[], [], []], box);
    new ResizeObserver(() => {
      const w = Math.max(240, box.clientWidth);
      if (w !== this.#plot.width) this.#plot.setSize({ width: w, height: 300 });
    }).observe(box);
  }

  /** Forgets every point (a new model). */
  reset(): void {
    this.#steps = [];
    this.#loss = [];
    this.#val = [];
    this.#draw();
  }

  /** Adds one step's losses. */
  push(step: number, loss: number, valLoss?: number): void {
    this.#steps.push(step);
    this.#loss.push(Number.isFinite(loss) ? loss : null);
    this.#val.push(valLoss !== undefined && Number.isFinite(valLoss) ? valLoss : null);
    this.#schedule();
  }

  /** First and recent training loss, point and redraw counts (for the end-to-end test). */
  stats(): { points: number; redraws: number; first: number | null; recent: number | null; lastVal: number | null } {
    const recent = this.#loss.slice(-20).filter((v): v is number => v !== null);
    return {
      points: this.#steps.length,
      redraws: this.redraws,
      first: this.#loss[0] ?? null,
      recent: recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : null,
      lastVal: [...this.#val].reverse().find((v) => v !== null) ?? null,
    };
  }

  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    const wait = Math.max(0, REDRAW_MS - (performance.now() - this.#lastDraw));
    setTimeout(() => requestAnimationFrame(() => this.#draw()), wait);
  }

  /** Draws now (also at the end of a run so the last point shows). */
  flush(): void {
    this.#draw();
  }

  #draw(): void {
    this.#pending = false;
    this.#lastDraw = performance.now();
    this.#plot.setData([this.#steps, this.#loss, this.#val]);
    this.redraws++;
    this.box.dataset.points = String(this.#steps.length);
    byId('chart-empty').hidden = this.#steps.length > 0;
    const n = this.#steps.length;
    const lastVal = [...this.#val].reverse().find((v) => v !== null);
    byId('chart-summary').textContent = n
      ? `Step ${this.#steps[n - 1]}: training loss ${this.#loss[n - 1]?.toFixed(3)}` +
        (lastVal != null ? `, validation loss ${lastVal.toFixed(3)}` : '') + `; first training loss ${this.#loss[0]?.toFixed(3)}.`
      : 'No training yet.';
  }
}
