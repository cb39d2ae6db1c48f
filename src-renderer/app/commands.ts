import type { MenuCommand } from '../../src-main/api/contract'
import { useAppStore, type AppState } from '../store/app-store'
import { choosePath, choosePaths } from './choose-path'
import { baseName } from './format'
import { VIEWS, viewShortcut } from './views'

export interface Command {
  id: string
  label: string
  group: 'File' | 'Recent' | 'View' | 'Help'
  /** As users read it, e.g. "Ctrl+O". */
  shortcut?: string
  /** The Electron menu's accelerator; in Electron the menu, not the page, answers these keys. */
  accelerator?: string
  menu?: MenuCommand['menu']
  /** Whether a key press in the window means this command (browser mode; Electron for keys without a menu). */
  keys?: (event: KeyboardEvent) => boolean
  run(): void | Promise<void>
}

const ctrl = (event: KeyboardEvent) => event.ctrlKey || event.metaKey

/** What the active view shows can be closed: its strategy, or on the folder view, its folder. */
function closable(state: AppState): string | undefined {
  return state.view === 'folder'
    ? (state.activeFolder ?? state.activeStrategy)
    : (state.activeStrategy ?? state.activeFolder)
}

/** Every command of the app, for the keyboard, the command palette and the Electron menu alike. */
export function buildCommands(state: AppState): Command[] {
  const store = useAppStore.getState
  const open = async (kind: 'any' | 'folder') => {
    const paths = await choosePaths(kind, kind === 'folder' ? 'Open a folder' : 'Open a file or folder')
    if (paths.length > 0) await store().openPaths(paths)
  }
  const target = closable(state)
  const commands: Command[] = [
    {
      id: 'open.file',
      label: 'Open file…',
      group: 'File',
      shortcut: 'Ctrl+O',
      accelerator: 'CmdOrCtrl+O',
      menu: 'file',
      keys: (e) => ctrl(e) && !e.shiftKey && e.key.toLowerCase() === 'o',
      run: () => open('any')
    },
    {
      id: 'open.folder',
      label: 'Open folder…',
      group: 'File',
      shortcut: 'Ctrl+Shift+O',
      accelerator: 'CmdOrCtrl+Shift+O',
      menu: 'file',
      keys: (e) => ctrl(e) && e.shiftKey && e.key.toLowerCase() === 'o',
      run: () => open('folder')
    },
    {
      id: 'verify.folder',
      label: 'Verify an output folder…',
      group: 'File',
      menu: 'file',
      run: async () => {
        const folder = await choosePath('folder', 'Verify an output folder')
        if (folder) await store().verifyFolder(folder)
      }
    },
    ...(state.sample
      ? []
      : [
          {
            id: 'open.sample',
            label: 'Open the sample workspace',
            group: 'File' as const,
            menu: 'file' as const,
            run: () => store().openSample()
          }
        ]),
    {
      id: 'workspace.close',
      label: target ? `Close ${baseName(target)}` : 'Close',
      group: 'File',
      // Ctrl+W belongs to the browser in browser mode; there it is in the palette.
      shortcut: state.info?.shell === 'electron' ? 'Ctrl+W' : undefined,
      accelerator: 'CmdOrCtrl+W',
      menu: 'file',
      run: () => {
        const path = closable(store())
        if (path) return store().closeItem(path)
      }
    },
    ...state.recent.map((item) => ({
      id: `recent:${item.path}`,
      label: item.path,
      group: 'Recent' as const,
      menu: 'recent' as const,
      run: () => store().openPaths([item.path])
    })),
    ...VIEWS.map((view, index) => {
      const key = viewShortcut(index)
      return {
        id: `view.${view.id}`,
        label: view.label,
        group: 'View' as const,
        menu: 'view' as const,
        ...(key
          ? {
              shortcut: `Alt+${key}`,
              accelerator: `Alt+${key}`,
              keys: (e: KeyboardEvent) => e.altKey && !ctrl(e) && e.key === key
            }
          : {}),
        run: () => store().setView(view.id)
      }
    }),
    {
      id: 'palette',
      label: 'Command palette',
      group: 'View',
      shortcut: 'Ctrl+K',
      keys: (e) => ctrl(e) && !e.shiftKey && e.key.toLowerCase() === 'k',
      run: () => store().setPaletteOpen(true)
    },
    {
      id: 'help.shortcuts',
      label: 'Keyboard shortcuts',
      group: 'Help',
      shortcut: '?',
      menu: 'help',
      run: () => {
        store().setView('help')
        requestAnimationFrame(() => document.getElementById('help-shortcuts')?.scrollIntoView())
      }
    },
    {
      id: 'help.about',
      label: 'About Shardscope',
      group: 'Help',
      menu: 'help',
      run: () => store().setAboutOpen(true)
    }
  ]
  return commands
}

/** The commands the Electron menu shows. */
export function menuCommands(commands: Command[]): MenuCommand[] {
  return commands
    .filter((c) => c.menu)
    .map((c) => ({
      id: c.id,
      label: c.label,
      menu: c.menu!,
      ...(c.accelerator ? { accelerator: c.accelerator } : {})
    }))
}
