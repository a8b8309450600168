// Number formats and the fixed-width rows of the scenario tables, shared by
// the rows printed as each scenario ends and the report after them.
import type { LoadResult } from './state.js';

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
export const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const ms = (n: number) => n.toFixed(2);
export const pct = (n: number | null) => (n === null ? 'n/a' : `${Math.round(n * 100)}%`);
export const times = (n: number) => `${n.toFixed(2)}×`;

const COLUMNS = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'gql err', 'srv CPU', 'gen CPU', 'srv µs/req', 'db CPU'];
const WIDTHS = [28, 8, 7, 7, 7, 8, 8, 8, 8, 11, 8];

/** The first cell left-aligned, the rest right-aligned, each padded to its width. */
export const line = (cells: string[], widths = WIDTHS) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('');

/** The scenario table's header; "db CPU" only where the database is its own processes. */
export const columns = (withDatabase: boolean) => line(withDatabase ? COLUMNS : COLUMNS.slice(0, -1));

export function printRow(row: LoadResult, withDatabase: boolean) {
  const cells = [
    row.name,
    int(row.rps),
    ms(row.p50),
    ms(row.p99),
    String(row.errors),
    String(row.non2xx),
    String(row.gqlErrors),
    pct(row.serverCpu),
    pct(row.loadCpu),
    row.serverCpuPerRequest === null ? 'n/a' : int(row.serverCpuPerRequest * 1e6),
  ];
  if (withDatabase) cells.push(pct(row.databaseCpu));
  console.log(line(cells));
}
