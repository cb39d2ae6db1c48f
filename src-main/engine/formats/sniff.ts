import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ShardscopeError } from '../errors'
import { ioError } from '../io/io-error'
import { requireRegularFile } from '../io/regular-file'
import { withLocalFile } from '../io/local-file'
import { cipherModeOfMagic, type CipherMode } from './ckpt/cipher-modes'
import { requireBoundedJson } from './json-text'
import { looksLikeRankTable } from './rank-table/rank-table'
import { readVarint } from './protobuf-wire'
import { isSafetensorsHeader } from './safetensors/safetensors-index'

export type PathKind =
  | { kind: 'strategy'; form: 'protobuf' | 'json' }
  | { kind: 'checkpoint'; format: 'ckpt'; encrypted?: CipherMode }
  | { kind: 'checkpoint'; format: 'safetensors' }
  | { kind: 'rank-table' }
  | { kind: 'checkpoint-folder' }
  | { kind: 'strategy-folder' }

// JSON inputs we recognise (strategies, rank tables) are small; bigger text is not one of ours.
const MAX_JSON_SNIFF = 64 * 1024 * 1024

/**
 * Tells what a path holds from its content, never its name: strategy files start with 0x08 (current_stage),
 * checkpoints with 0x0a (a record) or an encryption block magic, safetensors with a little-endian header length
 * followed by `{`, JSON by its keys; folders by their `rank_N/` subfolders or strategy files.
 */
export async function sniffPath(path: string): Promise<PathKind> {
  let info: import('node:fs').Stats
  try {
    info = await stat(path)
  } catch (err) {
    throw ioError(err, path, 'open')
  }
  if (info.isDirectory()) return sniffFolder(path)
  requireRegularFile(info, path)
  if (info.size === 0) {
    throw new ShardscopeError('EMPTY_FILE', `${path} is empty (0 bytes), so there is nothing to inspect.`, {
      file: path
    })
  }
  return withLocalFile(path, async (source) => {
    const head = new Uint8Array(Math.min(16, source.size))
    await source.readInto(head, 0, head.length, 0)
    // Safetensors first: its length prefix can begin with any byte (0x08 for a 264-byte header, the size one
    // tensor with a 173-character name gives), while four zero bytes and a `{` at offset 8 are found in no
    // checkpoint record or strategy file MindSpore writes.
    if (isSafetensorsHeader(head, source.size)) return { kind: 'checkpoint', format: 'safetensors' }
    const cipher = cipherModeOfMagic(head)
    if (cipher) return { kind: 'checkpoint', format: 'ckpt', encrypted: cipher }
    if (looksLikeCheckpointRecord(head)) return { kind: 'checkpoint', format: 'ckpt' }
    if (head[0] === 0x08) return { kind: 'strategy', form: 'protobuf' }
    const firstText = head.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)
    if (firstText === 0x7b) {
      // MindSpore's strategy JSON always opens with current_stage (its writers sort keys, or put it first): a
      // glance at the start spares parsing a large file twice. Anything else is parsed to tell what it is.
      const start = new Uint8Array(Math.min(source.size, 256))
      await source.readInto(start, 0, start.length, 0)
      if (/^\s*\{\s*"current_stage"\s*:/.test(new TextDecoder().decode(start)))
        return { kind: 'strategy', form: 'json' }
    }
    if (firstText === 0x7b && source.size <= MAX_JSON_SNIFF) {
      const text = new Uint8Array(source.size)
      await source.readInto(text, 0, source.size, 0)
      const json = parseJsonOrUndefined(new TextDecoder().decode(text), path)
      if (json && typeof json === 'object' && 'parallel_layout_item' in json)
        return { kind: 'strategy', form: 'json' }
      if (looksLikeRankTable(json)) return { kind: 'rank-table' }
      throw new ShardscopeError(
        'UNKNOWN_FORMAT',
        json === undefined
          ? `${path} starts like JSON but is not valid JSON.`
          : `${path} is JSON but neither a strategy file (no parallel_layout_item) nor a rank table (no server_list).`,
        { file: path }
      )
    }
    throw new ShardscopeError(
      'UNKNOWN_FORMAT',
      `${path} is not a MindSpore strategy, checkpoint, safetensors file or rank table (it starts with bytes ${hex(head.subarray(0, 4))}).`,
      { file: path }
    )
  })
}

async function sniffFolder(path: string): Promise<PathKind> {
  let names: string[]
  try {
    names = await readdir(path)
  } catch (err) {
    throw ioError(err, path, 'read folder')
  }
  if (names.some((n) => /^rank_\d+$/.test(n))) return { kind: 'checkpoint-folder' }
  const candidate = names.sort().find((n) => n.endsWith('.ckpt') || n.endsWith('.json'))
  if (candidate) {
    const inner = await sniffPath(join(path, candidate)).catch(() => undefined)
    if (inner?.kind === 'strategy') return { kind: 'strategy-folder' }
    throw new ShardscopeError(
      'BAD_INPUT',
      `${path} holds files like ${candidate} but no rank_N folders; put each rank's checkpoint in its own rank_<id>/ subfolder.`,
      { file: path }
    )
  }
  throw new ShardscopeError(
    'BAD_INPUT',
    `${path} holds no rank_N folders and no strategy files; a distributed checkpoint folder has one rank_<id>/ subfolder per rank.`,
    { file: path }
  )
}

function parseJsonOrUndefined(text: string, path: string): unknown {
  requireBoundedJson(text, { file: path, what: 'a strategy file or rank table' }, 'UNKNOWN_FORMAT')
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')
}

/** A `.ckpt` opens with a record: 0x0a, its length as a varint, then the Value's tag field (0x0a again). */
function looksLikeCheckpointRecord(head: Uint8Array): boolean {
  if (head[0] !== 0x0a) return false
  const length = readVarint(head, 1)
  return length !== undefined && head[length.next] === 0x0a
}
