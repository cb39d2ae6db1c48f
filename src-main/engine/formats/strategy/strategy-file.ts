import { readdir, readFile, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { ShardscopeError } from '../../errors'
import { ioError } from '../../io/io-error'
import { requireRegularFile } from '../../io/regular-file'
import { AtomicFileSink } from '../../io/byte-sink'
import type { StrategySet } from '../../model/strategy-set'
import { isSafetensorsHeader } from '../safetensors/safetensors-index'
import { mergeStageStrategies } from './strategy-merge'
import { decodeStrategyProtobuf, encodeStrategyProtobuf } from './strategy-protobuf'
import { formatStrategyJson, parseStrategyJson } from './strategy-json'

// Strategy files describe layouts, not weights; even 100k parameters stay far below this.
const MAX_STRATEGY_BYTES = 256 * 1024 * 1024

/** Reads one strategy file; JSON or protobuf is decided by content, not by the file name. */
export async function readStrategyFile(path: string): Promise<StrategySet> {
  let info: import('node:fs').Stats
  try {
    info = await stat(path)
  } catch (err) {
    throw ioError(err, path, 'read strategy file')
  }
  if (!info.isDirectory()) requireRegularFile(info, path)
  const size = info.size
  if (size === 0) {
    throw new ShardscopeError(
      'EMPTY_FILE',
      `${path} is empty (0 bytes); a strategy file holds parameter layouts.`,
      {
        file: path
      }
    )
  }
  if (size > MAX_STRATEGY_BYTES) {
    throw new ShardscopeError('BAD_INPUT', `${path} is ${size} bytes, far too large to be a strategy file.`, {
      file: path
    })
  }
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (err) {
    throw ioError(err, path, 'read strategy file')
  }
  return decodeStrategyBytes(bytes, path)
}

export function decodeStrategyBytes(bytes: Uint8Array, path: string): StrategySet {
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)
  if (first === 0x7b) return parseStrategyJson(new TextDecoder().decode(bytes), path)
  if (isSafetensorsHeader(bytes.subarray(0, 16), bytes.length)) {
    throw new ShardscopeError(
      'UNKNOWN_FORMAT',
      `${path} is a safetensors checkpoint, not a strategy file; give it as a checkpoint and the strategy separately.`,
      { file: path }
    )
  }
  if (bytes[0] !== 0x08 && bytes[0] !== 0x12 && bytes[0] !== 0x1a) {
    throw new ShardscopeError(
      'UNKNOWN_FORMAT',
      `${path} is not a strategy file: it is neither JSON nor a ParallelStrategyMap protobuf (it starts with byte 0x${bytes[0]!.toString(16).padStart(2, '0')}).`,
      { file: path }
    )
  }
  return decodeStrategyProtobuf(bytes, path)
}

/** Writes a strategy file atomically; `.json` gives the JSON form, anything else protobuf (MindSpore's rule). */
export async function writeStrategyFile(set: StrategySet, path: string): Promise<void> {
  const bytes =
    extname(path).toLowerCase() === '.json'
      ? new TextEncoder().encode(formatStrategyJson(set))
      : encodeStrategyProtobuf(set)
  const sink = await AtomicFileSink.create(path)
  try {
    await sink.write(bytes)
    await sink.commit()
  } catch (err) {
    await sink.abort()
    throw err
  }
}

/**
 * A strategy argument: a single file (one stage, or already merged), or a directory of per-stage files which is
 * merged on the fly, sparing users MindSpore's separate `merge_pipeline_strategys` step.
 */
export async function readStrategyInput(path: string): Promise<StrategySet> {
  let isDirectory: boolean
  try {
    isDirectory = (await stat(path)).isDirectory()
  } catch (err) {
    throw ioError(err, path, 'read strategy')
  }
  if (!isDirectory) return readStrategyFile(path)
  return mergeStageStrategies(await Promise.all((await strategyFilesIn(path)).map(readStrategyFile)), path)
}

/** The `.ckpt` or `.json` strategy files directly inside `dir` (not both kinds: MindSpore refuses the mix). */
export async function strategyFilesIn(dir: string): Promise<string[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).sort()
  } catch (err) {
    throw ioError(err, dir, 'list strategy directory')
  }
  const ckpt = names.filter((n) => n.endsWith('.ckpt'))
  const json = names.filter((n) => n.endsWith('.json'))
  if (ckpt.length > 0 && json.length > 0) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `${dir} mixes .ckpt and .json strategy files; the per-stage files of one model must all have the same form.`,
      { file: dir }
    )
  }
  const files = ckpt.length > 0 ? ckpt : json
  if (files.length === 0) {
    throw new ShardscopeError('BAD_INPUT', `${dir} holds no strategy files (.ckpt or .json).`, { file: dir })
  }
  return files.map((n) => join(dir, n))
}
