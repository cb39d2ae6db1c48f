import { readFile } from 'node:fs/promises'
import { clusterFromRankTable, parseHostfile, type ClusterModel } from '../../engine/cluster/cluster-model'
import {
  formatClusterProfile,
  parseClusterProfile,
  type ClusterProfile
} from '../../engine/cluster/cluster-profile'
import { parseRankTable } from '../../engine/formats/rank-table/rank-table'
import { AtomicFileSink } from '../../engine/io/byte-sink'
import { ioError } from '../../engine/io/io-error'

/** A rank table (JSON) or an MPI hostfile (`host slots=N` lines), told apart by content. */
export async function readClusterLayout(path: string): Promise<ClusterModel> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw ioError(err, path, 'read')
  }
  return /^\s*[{[]/.test(text.replace(/^\uFEFF/, ''))
    ? clusterFromRankTable(parseRankTable(text, path))
    : parseHostfile(text, path)
}

export async function readClusterProfile(path: string): Promise<ClusterProfile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw ioError(err, path, 'read')
  }
  return parseClusterProfile(text, path)
}

/** Written to a temp file and renamed, so a crash never leaves half a profile (and its pinned keys) behind. */
export async function writeClusterProfile(path: string, profile: ClusterProfile): Promise<void> {
  const sink = await AtomicFileSink.create(path)
  try {
    await sink.write(new TextEncoder().encode(formatClusterProfile(profile)))
    await sink.commit()
  } catch (err) {
    await sink.abort()
    throw err
  }
}
