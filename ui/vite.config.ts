import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Tauri expects a fixed dev port and must see its own log output.
// TAURI_ENV_* variables are set by the Tauri CLI during `tauri dev` / `tauri build`.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  server: {
    port: 5173,
    strictPort: true,
    watch: { ignored: ['**/src-tauri/**'] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK 2.50 / WebView2 / WKWebView are all modern; safari13 keeps output conservative.
    target: ['es2021', 'safari13'],
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
  },
});
