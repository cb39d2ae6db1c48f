// Small pieces shared by the problem finders, so every sentence counts and lists things the same way.

export function groupBy<K, V>(pairs: [K, V][]): Map<K, V[]> {
  const groups = new Map<K, V[]>()
  for (const [key, value] of pairs) {
    const group = groups.get(key)
    if (group) group.push(value)
    else groups.set(key, [value])
  }
  return groups
}

export function joinAnd(items: string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`
}

// Long lists of places drown the sentence; the count says how many more there are.
const ITEMS_SHOWN = 3

/** `a; b; c; and 5 more` */
export function listSome(items: string[]): string {
  const shown = items.slice(0, ITEMS_SHOWN)
  const more = items.length - shown.length
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ')
}
