// `npm start`: build what is stale (build-if-stale.mjs), then run the bundled
// server (scripts/bundle.mjs) in this same process: one Node start instead of two (a prestart script
// was a second process, ~0.1 s before the server even began to load).
// package.json adds --heap-growing-percent=50: the heap grows to 1.5x what
// is live instead of V8's dynamic factor (up to 4x), which took peak RSS
// under load from 280 to 189 MB at no measurable cost; and
// --max-semi-space-size=8, a young generation half V8's default size: peak
// RSS 195 -> 176 MB, throughput within noise (BENCHMARKS.md).
import { buildIfStale } from './build-if-stale.mjs';

buildIfStale();
await import('../dist/bundle/main.js');
