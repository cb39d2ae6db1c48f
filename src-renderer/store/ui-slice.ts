import type { StateCreator } from 'zustand'
import type { AppState } from './app-store'

export type Theme = 'light' | 'dark'

/** What the path chooser is asked for: a file, a folder, or either (a strategy may be a folder of stages). */
export type PathKind = 'file' | 'folder' | 'any'

export interface PathRequest {
  kind: PathKind
  title: string
  /** The folder to open in; the last one browsed, or the home folder, when absent or gone. */
  start?: string
  resolve(path: string | undefined): void
}

export interface UiSlice {
  /** Follows the system setting. */
  theme: Theme
  paletteOpen: boolean
  aboutOpen: boolean
  /** The server-side file browser, open for someone waiting for a path (browser mode). */
  pathRequest?: PathRequest
  /** Where the last Browse… ended, so the next one opens there rather than at the home folder again. */
  lastBrowsedFolder?: string
  /** While a drawing is being exported: views draw it without selection or hover. */
  exporting: boolean
  setTheme(theme: Theme): void
  setPaletteOpen(open: boolean): void
  setAboutOpen(open: boolean): void
  setPathRequest(request: PathRequest | undefined): void
  setLastBrowsedFolder(folder: string): void
  setExporting(exporting: boolean): void
}

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  theme: 'light',
  paletteOpen: false,
  aboutOpen: false,
  exporting: false,
  setTheme: (theme) => set({ theme }),
  setPaletteOpen: (paletteOpen) => set({ paletteOpen }),
  setAboutOpen: (aboutOpen) => set({ aboutOpen }),
  setPathRequest: (pathRequest) => set({ pathRequest }),
  setLastBrowsedFolder: (lastBrowsedFolder) => set({ lastBrowsedFolder }),
  setExporting: (exporting) => set({ exporting })
})
