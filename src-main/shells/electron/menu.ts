import type { Menu, MenuItemConstructorOptions } from 'electron'
import type { MenuCommand } from '../../api/contract'

/**
 * The application menu, drawn from the commands the renderer registers (the renderer owns the list of views
 * and commands; a new view appears here without touching main). Choosing an item calls `run` with its id.
 */
export function menuTemplate(
  commands: MenuCommand[],
  run: (id: string) => void,
  platform: NodeJS.Platform = process.platform
): MenuItemConstructorOptions[] {
  const items = (menu: MenuCommand['menu']): MenuItemConstructorOptions[] =>
    commands
      .filter((c) => c.menu === menu)
      .map((c) => ({
        id: c.id,
        label: c.label,
        ...(c.accelerator ? { accelerator: c.accelerator } : {}),
        click: () => run(c.id)
      }))
  const recent = items('recent')
  const template: MenuItemConstructorOptions[] = [
    {
      label: '&File',
      submenu: [
        ...items('file'),
        {
          label: 'Open &recent',
          submenu: recent.length > 0 ? recent : [{ label: 'No recent items', enabled: false }]
        },
        { type: 'separator' },
        platform === 'darwin' ? { role: 'close' } : { role: 'quit' }
      ]
    },
    // Text fields need the standard editing commands (and their shortcuts on macOS).
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' }
      ]
    },
    {
      label: '&View',
      submenu: [...items('view'), { type: 'separator' }, { role: 'togglefullscreen' }]
    },
    { label: '&Help', submenu: items('help') }
  ]
  if (platform === 'darwin') template.unshift({ role: 'appMenu' })
  return template
}

export function installMenu(
  menu: Pick<typeof Menu, 'buildFromTemplate' | 'setApplicationMenu'>,
  commands: MenuCommand[],
  run: (id: string) => void
): void {
  menu.setApplicationMenu(menu.buildFromTemplate(menuTemplate(commands, run)))
}
