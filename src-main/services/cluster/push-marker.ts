import type { FileHashes } from './content-hash'
import { joinRemote, type Transport } from './transport'

export const INCOMING = '.shardscope-incoming'
export const MARKER = '.shardscope-complete.json'
export const REPLACED = '.shardscope-replaced'

/** One published file as the completion marker lists it: SHA-256 always, XXH3-128 when the push computed it. */
export interface MarkedFile {
  path: string
  size: number
  sha256: string
  xxh3_128?: string
  rank?: number
}

/** `<folder>/.shardscope-complete.json`: written last, so a folder holding it is complete and verified. */
export interface Marker {
  format: 'shardscope-push'
  version: 1
  server: string
  hashTool: string
  completedAt: string
  files: MarkedFile[]
}

export async function readMarker(transport: Transport, folder: string): Promise<Marker | undefined> {
  try {
    const marker = JSON.parse(
      (await transport.readSmallFile(joinRemote(folder, MARKER))).toString('utf8')
    ) as Marker
    return marker.format === 'shardscope-push' && Array.isArray(marker.files) ? marker : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether a published file is the one planned now, judged by hashes alone: at least one algorithm both sides
 * know, and every such one equal. A manifest holding only XXH3-128 therefore never accepts a file an older push
 * marked with SHA-256 only: that file is sent again rather than trusted.
 */
export function sameContent(planned: FileHashes, marked: FileHashes): boolean {
  const shared = (['sha256', 'xxh3_128'] as const).filter(
    (name) => planned[name] !== undefined && marked[name] !== undefined
  )
  return shared.length > 0 && shared.every((name) => planned[name] === marked[name])
}
