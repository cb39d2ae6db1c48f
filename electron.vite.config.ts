import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: {
        entry: {
          main: resolve(__dirname, 'src-main/shells/electron/main.ts'),
          // Worker threads need their own file next to main.js (see worker-pool.ts).
          'transform-worker': resolve(__dirname, 'src-main/engine/exec/transform-worker.ts'),
          // So do the engine processes (see services/engine-host/engine-process.ts).
          'engine-host': resolve(__dirname, 'src-main/services/engine-host/host-entry.ts')
        }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      lib: { entry: resolve(__dirname, 'src-main/shells/electron/preload.ts') }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') }
    },
    plugins: [react()]
  }
})
