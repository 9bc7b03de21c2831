import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// No React plugin: Vite 8's own transformer compiles JSX (automatic runtime). The plugin only
// adds fast refresh, and @vitejs/plugin-react 6.3.0's optional Babel peer conflicts with jest's.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No data: URIs: the console's Content-Security-Policy allows 'self' only.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
