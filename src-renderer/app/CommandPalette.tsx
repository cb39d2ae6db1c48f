import { useMemo, useState } from 'react'
import { useAppStore } from '../store/app-store'
import { Modal } from '../viz/Modal'
import type { Command } from './commands'

/** Every command by name (Ctrl+K): browser mode's application menu, and a quick way in Electron too. */
export function CommandPalette({ commands }: { commands: Command[] }) {
  const open = useAppStore((s) => s.paletteOpen)
  const setOpen = useAppStore((s) => s.setPaletteOpen)
  if (!open) return null
  return <PaletteBody commands={commands} onClose={() => setOpen(false)} />
}

function PaletteBody({ commands, onClose }: { commands: Command[]; onClose(): void }) {
  const [query, setQuery] = useState('')
  const [active, setActive] = useState(0)
  const shown = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean)
    return commands
      .filter((c) => c.id !== 'palette')
      .filter((c) => words.every((w) => `${c.group} ${c.label}`.toLowerCase().includes(w)))
  }, [commands, query])
  const run = (command: Command | undefined) => {
    if (!command) return
    onClose()
    void command.run()
  }
  const current = Math.min(active, shown.length - 1)
  return (
    <Modal title="Commands" onClose={onClose} className="palette" testId="command-palette">
      <input
        type="text"
        role="combobox"
        aria-label="Command"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-autocomplete="list"
        aria-activedescendant={current >= 0 ? `palette-${current}` : undefined}
        placeholder="Type a command: open, planner, verify, help…"
        value={query}
        autoFocus
        onChange={(e) => {
          setQuery(e.target.value)
          setActive(0)
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault()
            const step = e.key === 'ArrowDown' ? 1 : -1
            setActive((a) => (shown.length === 0 ? 0 : (a + step + shown.length) % shown.length))
          } else if (e.key === 'Enter') {
            e.preventDefault()
            run(shown[current])
          }
        }}
      />
      <ul id="palette-list" role="listbox" aria-label="Commands" className="palette-list">
        {shown.map((command, i) => (
          <li
            key={command.id}
            id={`palette-${i}`}
            role="option"
            aria-selected={i === current}
            className={i === current ? 'active' : undefined}
            data-testid="palette-command"
            data-command={command.id}
            onMouseMove={() => setActive(i)}
            onClick={() => run(command)}
          >
            <span className="palette-group">{command.group}</span>
            <span className="palette-label">{command.label}</span>
            {command.shortcut && <kbd>{command.shortcut}</kbd>}
          </li>
        ))}
      </ul>
      {shown.length === 0 && <p className="muted">No command matches.</p>}
    </Modal>
  )
}
