import type { UploadFile } from '../../../src-main/api/contract'

/** Browser-mode uploads stop here; bigger items must be opened by path (see the server's limit). */
export const MAX_DROP_BYTES = 64 * 1024 * 1024

export type DroppedItems =
  | { kind: 'paths'; paths: string[] }
  | { kind: 'upload'; name: string; files: UploadFile[] }
  | { kind: 'none' }

/**
 * Turns a drop into something the main side can open. Paths come first: Electron knows every dropped file's
 * path, and a drop from a file manager or terminal carries file:// URLs or plain paths. Otherwise (a browser
 * tab far from the files) the dropped files and folders are read and uploaded, folder structure kept.
 */
export async function readDrop(
  data: DataTransfer,
  pathForFile?: (file: File) => string
): Promise<DroppedItems> {
  if (pathForFile && data.files.length > 0) {
    const paths = [...data.files].map(pathForFile).filter(Boolean)
    if (paths.length > 0) return { kind: 'paths', paths }
  }
  const paths = pathsFromText(data.getData('text/uri-list') || data.getData('text/plain'))
  if (paths.length > 0) return { kind: 'paths', paths }
  const entries = [...data.items]
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e)
  // Files put on a DataTransfer by script (or by some platforms) have no entries: take them flat.
  const sources: { name: string; collect: () => Promise<{ file: File; relativePath: string }[]> }[] =
    entries.length > 0
      ? entries.map((entry) => ({ name: entry.name, collect: () => collect(entry, entry.name) }))
      : [...data.files].map((file) => ({
          name: file.name,
          collect: async () => [{ file, relativePath: file.name }]
        }))
  if (sources.length === 0) return { kind: 'none' }
  const files: UploadFile[] = []
  let total = 0
  for (const source of sources) {
    for (const { file, relativePath } of await source.collect()) {
      total += file.size
      if (total > MAX_DROP_BYTES) {
        throw new Error(
          `"${sources[0]!.name}" is larger than ${MAX_DROP_BYTES / 1048576} MiB. In browser mode large items are opened by their path: use Open folder… or type the path.`
        )
      }
      files.push({ relativePath, data: await toBase64(file) })
    }
  }
  return { kind: 'upload', name: sources.map((s) => s.name).join(', '), files }
}

function pathsFromText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => (line.startsWith('file://') ? decodeURIComponent(new URL(line).pathname) : line))
    .filter((line) => line.startsWith('/') || /^[A-Za-z]:[\\/]/.test(line))
}

async function collect(
  entry: FileSystemEntry,
  path: string
): Promise<{ file: File; relativePath: string }[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject)
    )
    return [{ file, relativePath: path }]
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader()
  const children: FileSystemEntry[] = []
  // readEntries returns the listing in batches until an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject)
    )
    if (batch.length === 0) break
    children.push(...batch)
  }
  const nested = await Promise.all(children.map((child) => collect(child, `${path}/${child.name}`)))
  return nested.flat()
}

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
