import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2'
}

/** A file under `root` for a URL path, or undefined; `..` and absolute tricks never escape `root`. */
export async function resolveStaticFile(
  root: string,
  urlPath: string
): Promise<{ body: Buffer; type: string } | undefined> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const relative = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^([/\\])+/, '')
  const path = join(root, relative)
  if (path !== root && !path.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined
  try {
    if (!(await stat(path)).isFile()) return undefined
    return { body: await readFile(path), type: MIME[extname(path)] ?? 'application/octet-stream' }
  } catch {
    return undefined
  }
}
