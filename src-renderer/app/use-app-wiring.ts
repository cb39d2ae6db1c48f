import { useEffect, useMemo } from 'react'
import { client } from '../api/client'
import { useAppStore } from '../store/app-store'
import { setPaletteTheme } from '../viz/palette'
import { buildCommands, menuCommands, type Command } from './commands'

const typingIn = (target: EventTarget | null) => {
  const element = target as HTMLElement | null
  return !!element && (element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName))
}

/**
 * Connects the window to the store: events from main, the first load of the workspace, the system theme, the
 * keyboard shortcuts of every command and (in Electron) the application menu. Returns the commands.
 */
export function useAppWiring(): Command[] {
  // The commands' labels depend on these alone; rebuilding on every store change would redraw the menu constantly.
  const recent = useAppStore((s) => s.recent)
  const sample = useAppStore((s) => s.sample)
  const activeStrategy = useAppStore((s) => s.activeStrategy)
  const activeFolder = useAppStore((s) => s.activeFolder)
  const view = useAppStore((s) => s.view)
  const info = useAppStore((s) => s.info)
  const commands = useMemo(
    () =>
      buildCommands({ ...useAppStore.getState(), recent, sample, activeStrategy, activeFolder, view, info }),
    [recent, sample, activeStrategy, activeFolder, view, info]
  )

  useEffect(() => {
    const unsubscribe = client.onEvent((event) => {
      const store = useAppStore.getState()
      if (event.type === 'menu.command') {
        void buildCommands(store)
          .find((c) => c.id === event.id)
          ?.run()
        return
      }
      if (event.type.startsWith('verify.')) store.handleVerifyEvent(event)
      else if (event.type.startsWith('cluster.')) store.handleClusterEvent(event)
      else store.handleEvent(event)
    })
    const params = new URLSearchParams(location.search)
    void useAppStore
      .getState()
      .init({ sample: params.get('sample') !== '0' })
      .catch((err: Error) => useAppStore.setState({ error: err.message }))
    return unsubscribe
  }, [])

  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)')
    const apply = () => {
      const theme = media.matches ? 'dark' : 'light'
      setPaletteTheme(theme)
      useAppStore.getState().setTheme(theme)
    }
    apply()
    media.addEventListener('change', apply)
    return () => media.removeEventListener('change', apply)
  }, [])

  useEffect(() => {
    const electron = useAppStore.getState().info?.shell === 'electron'
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return
      const modified = event.ctrlKey || event.metaKey || event.altKey
      if (!modified && typingIn(event.target)) return
      const command = commands.find(
        (c) => c.keys?.(event) || (c.id === 'help.shortcuts' && !modified && event.key === '?')
      )
      // In Electron the menu answers its own accelerators.
      if (!command || (electron && command.accelerator)) return
      event.preventDefault()
      void command.run()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [commands])

  useEffect(() => {
    if (info?.shell !== 'electron') return
    void client.request('menu.set', { commands: menuCommands(commands) }).catch(() => undefined)
  }, [commands, info])

  return commands
}
