/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The charts, with TradingView's lightweight-charts (made for financial series): every agent's equity
 * on one chart (arena page), and one agent's equity over its drawdown (agent page). Time is market
 * time, in UTC. Colours come from arena.css (--series-N), so the tables' swatches match the lines.
 */
import {
  AreaSeries,
  ColorType,
  LineSeries,
  createChart,
  type ChartOptions,
  type DeepPartial,
  type IChartApi,
  type ISeriesApi,
  type LineData,
  type UTCTimestamp,
  type WhitespaceData,
} from 'lightweight-charts';
import type { EquityCurve } from '../api-types';
import { money, signedPct } from '../format';
import { seriesIndex } from '../palette';

type CurvePoint = EquityCurve['points'][number];

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
/** Equity in USDT, as the tables write it. */
const MONEY = { type: 'custom', formatter: money, minMove: 0.01 } as const;
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;

function chartOptions(): DeepPartial<ChartOptions> {
  return {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: cssVar('--panel') },
      textColor: cssVar('--muted'),
      fontFamily: cssVar('--font'),
      // Its logo injects a <style> element (refused by the pages' CSP); the page credits TradingView instead.
      attributionLogo: false,
    },
    grid: { vertLines: { color: cssVar('--grid') }, horzLines: { color: cssVar('--grid') } },
    rightPriceScale: { borderColor: cssVar('--grid') },
    timeScale: { borderColor: cssVar('--grid'), timeVisible: true, secondsVisible: false },
    localization: { locale: 'en-US' },
  };
}

/** One point per market second, oldest first: the chart refuses anything else. */
function lineData(points: CurvePoint[]): Array<{ time: UTCTimestamp; value: number }> {
  const data: Array<{ time: UTCTimestamp; value: number }> = [];
  for (const p of points) {
    const time = seconds(p.market_time);
    const last = data.at(-1);
    if (last && time < last.time) continue;
    if (last && time === last.time) last.value = p.equity;
    else data.push({ time, value: p.equity });
  }
  return data;
}

interface AgentLine {
  series: ISeriesApi<'Line'>;
  item: HTMLLIElement;
}

/** Every agent's equity on one chart, with a legend that names each line and its last value. */
export class ArenaChart {
  private readonly chart: IChartApi;
  private readonly lines = new Map<string, AgentLine>();

  constructor(
    private readonly container: HTMLElement,
    private readonly legend: HTMLElement,
  ) {
    this.chart = createChart(container, chartOptions());
  }

  agents(): string[] {
    return [...this.lines.keys()];
  }

  /** Replaces every line with these curves (keeping a point from the feed newer than the curve's last). */
  show(curves: EquityCurve[]): void {
    const fed = new Map([...this.lines].map(([id, line]) => [id, line.series.data().at(-1)]));
    for (const line of this.lines.values()) this.chart.removeSeries(line.series);
    this.lines.clear();
    this.legend.replaceChildren();
    const ids = curves.map((c) => c.agent_id);
    // On a phone the names on the price axis would cover each other: the legend names the lines.
    const titled = this.container.clientWidth >= 600;
    for (const curve of curves) {
      const colour = cssVar(`--series-${seriesIndex(curve.agent_id, ids)}`);
      const series = this.chart.addSeries(LineSeries, {
        color: colour,
        lineWidth: 2,
        title: titled ? curve.name : '',
        priceLineVisible: false,
        priceFormat: MONEY,
      });
      series.setData(lineData(curve.points));
      keepNewer(series, fed.get(curve.agent_id));
      const item = legendItem(curve, seriesIndex(curve.agent_id, ids));
      this.legend.append(item);
      const line = { series, item };
      this.lines.set(curve.agent_id, line);
      this.label(line);
    }
    this.chart.timeScale().fitContent();
  }

  /** A new point of an agent's curve (from the feed); ignored when older than its last point. */
  add(agentId: string, marketTime: string, equity: number): void {
    const line = this.lines.get(agentId);
    if (!line) return;
    const time = seconds(marketTime);
    const last = line.series.data().at(-1);
    if (last && time < (last.time as UTCTimestamp)) return;
    line.series.update({ time, value: equity });
    this.label(line);
  }

  private label({ series, item }: AgentLine): void {
    const data = series.data();
    const last = data.at(-1) as { value?: number } | undefined;
    item.dataset.points = String(data.length);
    item.querySelector('.value')!.textContent = last?.value === undefined ? 'no cycle yet' : money(last.value);
  }
}

/** A point the feed drew after the curve was read: put back when it is newer than the curve's last. */
function keepNewer(series: ISeriesApi<'Line'>, point: LineData | WhitespaceData | undefined): void {
  const last = series.data().at(-1);
  if (point && 'value' in point && (!last || point.time > last.time)) series.update(point);
}

function legendItem(curve: EquityCurve, colourIndex: number): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.series = curve.agent_id;
  const swatch = document.createElement('span');
  swatch.className = `swatch series-${colourIndex}`;
  swatch.setAttribute('aria-hidden', 'true');
  const link = document.createElement('a');
  link.href = `/agents/${encodeURIComponent(curve.agent_id)}`;
  link.textContent = curve.name;
  const value = document.createElement('span');
  value.className = 'value';
  item.append(swatch, link, ' ', value);
  return item;
}

/** One agent's equity (top) and its drawdown from the running peak, in % (bottom pane). */
export class AgentChart {
  private readonly chart: IChartApi;
  private readonly equity: ISeriesApi<'Line'>;
  private readonly drawdown: ISeriesApi<'Area'>;
  private peak = -Infinity;

  constructor(private readonly container: HTMLElement) {
    this.chart = createChart(container, chartOptions());
    this.equity = this.chart.addSeries(LineSeries, {
      color: cssVar('--series-0'),
      lineWidth: 2,
      title: 'Equity',
      priceLineVisible: false,
      priceFormat: MONEY,
    });
    const loss = cssVar('--loss');
    this.drawdown = this.chart.addSeries(
      AreaSeries,
      {
        lineColor: loss,
        topColor: `${loss}22`,
        bottomColor: `${loss}66`,
        lineWidth: 1,
        title: 'Drawdown',
        invertFilledArea: true,
        priceFormat: { type: 'custom', formatter: signedPct, minMove: 0.01 },
        priceLineVisible: false,
      },
      1,
    );
    this.chart.panes()[1]?.setStretchFactor(0.4);
  }

  /** Draws the curve (keeping a point from the feed newer than its last). */
  show(points: CurvePoint[]): void {
    const fed = this.equity.data().at(-1);
    const data = lineData(points);
    this.peak = -Infinity;
    this.equity.setData(data);
    this.drawdown.setData(data.map((p) => ({ time: p.time, value: this.drawdownAt(p.value) })));
    if (fed && 'value' in fed) this.addPoint(fed.time as UTCTimestamp, fed.value);
    this.chart.timeScale().fitContent();
    this.count();
  }

  /** A new point (from the feed); ignored when older than the last one. */
  add(marketTime: string, equity: number): void {
    this.addPoint(seconds(marketTime), equity);
    this.count();
  }

  private addPoint(time: UTCTimestamp, equity: number): void {
    const last = this.equity.data().at(-1);
    if (last && time <= (last.time as UTCTimestamp)) return;
    this.equity.update({ time, value: equity });
    this.drawdown.update({ time, value: this.drawdownAt(equity) });
  }

  /** The points drawn, on the container (`data-points`): a text trace of the canvas. */
  private count(): void {
    this.container.dataset.points = String(this.equity.data().length);
  }

  private drawdownAt(equity: number): number {
    this.peak = Math.max(this.peak, equity);
    return this.peak > 0 ? (equity / this.peak - 1) * 100 : 0;
  }
}
