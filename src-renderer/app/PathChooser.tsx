import { useAppStore } from '../store/app-store'
import { FileBrowser } from '../views/open/FileBrowser'

/** Browser mode's answer to a native Open dialog, for whoever asked for a path (see choose-path.ts). */
export function PathChooser() {
  const request = useAppStore((s) => s.pathRequest)
  if (!request) return null
  return (
    <FileBrowser
      kind={request.kind}
      title={request.title}
      start={request.start}
      onChoose={(path) => request.resolve(path)}
      onClose={() => request.resolve(undefined)}
    />
  )
}
