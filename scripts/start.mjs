// `npm start`: build what is stale (build-if-stale.mjs), then run the bundled
// server (scripts/bundle.mjs) in this same process: one Node start instead of two (a prestart script
// was a second process, ~0.1 s before the server even began to load).
import { buildIfStale } from './build-if-stale.mjs';

buildIfStale();
await import('../dist/bundle/main.js');
