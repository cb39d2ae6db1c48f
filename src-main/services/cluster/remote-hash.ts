import { ShardscopeError } from '../../engine/errors'
import { shellQuote, type Transport } from './transport'

/** The SHA-256 tool a node has; OpenSSL first, as it hashes about four times faster than coreutils. */
export type HashTool = 'openssl dgst -sha256' | 'sha256sum'

export async function detectHashTool(transport: Transport): Promise<HashTool> {
  const found = await transport.exec(
    'command -v openssl >/dev/null 2>&1 && echo openssl; command -v sha256sum >/dev/null 2>&1 && echo sha256sum; true'
  )
  const tools = found.stdout.split(/\s+/)
  if (tools.includes('openssl')) return 'openssl dgst -sha256'
  if (tools.includes('sha256sum')) return 'sha256sum'
  throw new ShardscopeError(
    'UNSUPPORTED',
    `${transport.server} has neither sha256sum nor openssl, so the files sent there cannot be verified; nothing was published.`
  )
}

function hashCommand(tool: HashTool): string {
  return tool === 'sha256sum' ? 'sha256sum' : 'openssl dgst -sha256 -r'
}

/** SHA-256 of each remote file (absent files are missing from the map). */
export async function remoteHashes(
  transport: Transport,
  tool: HashTool,
  paths: string[]
): Promise<Map<string, string>> {
  const result = new Map<string, string>()
  const batch = 64
  for (let i = 0; i < paths.length; i += batch) {
    const group = paths.slice(i, i + batch)
    // Exactly one line per file: its digest, or "missing".
    const script = group
      .map((p) => `{ ${hashCommand(tool)} ${shellQuote(p)} 2>/dev/null || echo missing; } | cut -c1-64`)
      .join('; ')
    const { stdout } = await transport.exec(script)
    const lines = stdout.split('\n')
    group.forEach((path, index) => {
      const hash = lines[index]?.trim()
      if (hash && /^[0-9a-f]{64}$/.test(hash)) result.set(path, hash)
    })
  }
  return result
}

/** SHA-256 of the first `length` bytes of a remote file: is the part already sent what we would send? */
export async function remotePrefixHash(
  transport: Transport,
  tool: HashTool,
  path: string,
  length: number
): Promise<string | undefined> {
  const { stdout, code } = await transport.exec(
    `head -c ${length} -- ${shellQuote(path)} | ${hashCommand(tool)} | cut -c1-64`
  )
  const hash = stdout.trim()
  return code === 0 && /^[0-9a-f]{64}$/.test(hash) ? hash : undefined
}
