import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * One measured figure of `npm run bench`, beside the naive baseline measured in the same run
 * (one event per transaction, one Exchange call per event, …) and the goal it is held to.
 * Figures are printed and written to `bench/results/latest.{md,json}`; nothing asserts them.
 */
export interface Figure {
  /** Stable id, e.g. `translator.kafka-postgres.events-per-s`; a later run replaces the same id. */
  id: string;
  /** The figure as a reader names it, e.g. `translator events/s, Kafka + PostgreSQL`. */
  figure: string;
  unit: string;
  value: number;
  /** Which way is better: the ratio to the baseline and the goal check follow it. */
  better: 'higher' | 'lower';
  baseline?: { label: string; value: number };
  goal?: number;
  /** The workload and anything a reader needs to trust the number (events, devices, latency…). */
  note?: string;
}

interface RecordedFigure extends Figure {
  bench: string;
  measuredAt: string;
}

interface Report {
  machine: { cpus: number; memoryGiB: number; node: string };
  figures: RecordedFigure[];
}

const recorded: RecordedFigure[] = [];
let currentBench = 'unknown';

/** Called by the runner before each bench, so that figures carry the bench that measured them. */
export function beginBench(name: string): void {
  currentBench = name;
}

/** Records one figure of the current bench (and prints it at once, so a long run shows progress). */
export function recordFigure(figure: Figure): void {
  const entry = { ...figure, bench: currentBench, measuredAt: new Date().toISOString() };
  recorded.push(entry);
  console.log(`  → ${figure.figure}: ${formatValue(figure.value)} ${figure.unit}${ratioText(entry)}`);
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

function ratio(figure: Figure): number | undefined {
  const base = figure.baseline?.value;
  if (base === undefined || base === 0 || figure.value === 0) return undefined;
  return figure.better === 'higher' ? figure.value / base : base / figure.value;
}

function ratioText(figure: Figure): string {
  const r = ratio(figure);
  return r === undefined ? '' : ` (${r.toFixed(1)}× ${figure.baseline?.label ?? 'baseline'})`;
}

function goalText(figure: Figure): string {
  if (figure.goal === undefined) return '';
  const met = figure.better === 'higher' ? figure.value >= figure.goal : figure.value <= figure.goal;
  return `${figure.better === 'higher' ? '≥' : '≤'} ${formatValue(figure.goal)} ${met ? '✅ met' : '❌ not met'}`;
}

function markdown(report: Report): string {
  const lines = [
    '# Benchmark results (`npm run bench`)',
    '',
    `Machine: ${report.machine.cpus} cores, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}. ` +
      'Each figure beside its naive baseline measured in the same run; goals from the issues that set them.',
    '',
    '| figure | value | baseline (same run) | ratio | goal | measured | workload |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const f of report.figures) {
    const r = ratio(f);
    lines.push(
      `| ${f.figure} | ${formatValue(f.value)} ${f.unit} | ${
        f.baseline ? `${formatValue(f.baseline.value)} (${f.baseline.label})` : '—'
      } | ${r === undefined ? '—' : `${r.toFixed(1)}×`} | ${goalText(f) || '—'} | ${f.measuredAt.slice(0, 16)}Z | ${
        f.note ?? ''
      } |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Prints the table and writes `latest.md` and `latest.json` under `dir`. Figures of benches not run
 * this time (`npm run bench -- translator`) are kept from the previous report, with their date.
 */
export function writeReport(dir = join(__dirname, '../../bench/results')): void {
  mkdirSync(dir, { recursive: true });
  const jsonFile = join(dir, 'latest.json');
  const previous: RecordedFigure[] = existsSync(jsonFile)
    ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as Report).figures
    : [];
  const ids = new Set(recorded.map((f) => f.id));
  const report: Report = {
    machine: {
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
    },
    figures: [...previous.filter((f) => !ids.has(f.id)), ...recorded],
  };
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  const md = markdown(report);
  writeFileSync(join(dir, 'latest.md'), md);
  console.log(`\n${md}`);
}
