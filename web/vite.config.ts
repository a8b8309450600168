// Builds the chat page (web/) into web/dist/, which the API serves at /app
// (src/http/appPage.ts). `npm run build` runs it after tsc.
//
// While working on the page: `npm run dev` (the API on :4000) and
// `npx vite --config web/vite.config.ts` (the page with live reload on :5173/app/,
// /graphql and its WebSocket proxied to the API, so the page stays same-origin
// as it is in production).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  // Preact's JSX runtime (no React, no plugin needed).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Served with a CSP of 'self' only: no inlined data: URLs for assets.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
});
