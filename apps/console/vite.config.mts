import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The console is static files served by the console gateway (libs/console-gateway), same origin as /api.
export default defineConfig({
  root,
  plugins: [react()],
  // Shared, dependency-free libraries the console bundles from source (tsconfig.base.json paths).
  resolve: {
    alias: {
      '@easgate/validation-pipeline': fileURLToPath(
        new URL('../../libs/shared/validation-pipeline/src/index.ts', import.meta.url),
      ),
    },
  },
  build: {
    chunkSizeWarningLimit: 1500,
    outDir: fileURLToPath(new URL('../../dist/apps/console', import.meta.url)),
    emptyOutDir: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/auth': 'http://127.0.0.1:8080' } },
});
