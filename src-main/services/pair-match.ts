import type { PairMatch } from '../api/contract'
import { isShardscopeError } from '../engine/errors'
import { stagesOf } from '../engine/model/strategy-set'
import { deviceCount } from '../engine/layout/device-matrix'
import { cachedFolder } from './folder-cache'
import { cachedStrategy } from './strategy-cache'

// Names found in the folder, as a share of the strategy's names, that make a pairing worth suggesting.
const GOOD_SHARE = 0.9

/**
 * How well each open checkpoint folder fits each open strategy: rank counts and the share of the strategy's
 * parameter names that the folder's files hold. Only a suggestion: the app pairs nothing by itself.
 */
export async function matchPairs(strategies: string[], folders: string[]): Promise<PairMatch[]> {
  const folderFacts = new Map<string, { ranks: number; names: Set<string> } | string>()
  for (const folder of folders) {
    try {
      const { set, indexed } = await cachedFolder(folder)
      const names = new Set(indexed.names)
      folderFacts.set(folder, { ranks: set.ranks.length + set.missingRanks.length, names })
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      folderFacts.set(folder, err.message)
    }
  }
  const matches: PairMatch[] = []
  for (const strategy of strategies) {
    let facts: { ranks: number; names: Set<string> } | string
    try {
      const set = await cachedStrategy(strategy)
      const first = set.layouts[0]
      facts = {
        ranks: first ? deviceCount(first.devMatrix) * stagesOf(set).length : 0,
        names: new Set(set.layouts.map((l) => l.name))
      }
    } catch (err) {
      if (!isShardscopeError(err)) throw err
      facts = err.message
    }
    for (const folder of folders) {
      const held = folderFacts.get(folder)!
      if (typeof facts === 'string') matches.push({ strategy, folder, fit: 'none', reason: facts })
      else if (typeof held === 'string') matches.push({ strategy, folder, fit: 'none', reason: held })
      else matches.push({ strategy, folder, ...fitOf(facts, held) })
    }
  }
  return matches
}

function fitOf(
  strategy: { ranks: number; names: Set<string> },
  folder: { ranks: number; names: Set<string> }
): Pick<PairMatch, 'fit' | 'reason'> {
  let found = 0
  for (const name of strategy.names) if (folder.names.has(name)) found++
  const total = strategy.names.size
  const names = `${found.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} parameter name${total === 1 ? '' : 's'} found`
  const ranks =
    strategy.ranks === folder.ranks
      ? `${folder.ranks} rank${folder.ranks === 1 ? '' : 's'} on both sides`
      : `the strategy describes ${strategy.ranks} rank${strategy.ranks === 1 ? '' : 's'}, the folder holds ${folder.ranks}`
  const fit =
    found === 0 ? 'none' : strategy.ranks === folder.ranks && found >= total * GOOD_SHARE ? 'good' : 'partial'
  return { fit, reason: `${ranks}; ${names}` }
}
