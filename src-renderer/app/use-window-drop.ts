import { useState, type DragEvent } from 'react'
import { client } from '../api/client'
import { useAppStore } from '../store/app-store'
import { readDrop } from '../views/open/read-drop'

/** Files, folders or paths dropped anywhere in the window are opened; the window says it is ready for them. */
export function useWindowDrop() {
  const [dragging, setDragging] = useState(false)
  const accepts = (event: DragEvent) =>
    ['Files', 'text/uri-list', 'text/plain'].some((t) => event.dataTransfer.types.includes(t))
  const onDrop = async (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    const store = useAppStore.getState()
    try {
      const dropped = await readDrop(event.dataTransfer, client.pathForFile)
      if (dropped.kind === 'paths') await store.openPaths(dropped.paths)
      else if (dropped.kind === 'upload') await store.openUpload(dropped.name, dropped.files)
      else useAppStore.setState({ error: 'Nothing readable was dropped.' })
    } catch (err) {
      useAppStore.setState({ error: (err as Error).message })
    }
  }
  return {
    dragging,
    handlers: {
      onDragOver: (event: DragEvent) => {
        if (!accepts(event)) return
        event.preventDefault()
        setDragging(true)
      },
      onDragLeave: (event: DragEvent) => {
        // Leaving for a child is not leaving the window.
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false)
      },
      onDrop: (event: DragEvent) => void onDrop(event)
    }
  }
}
