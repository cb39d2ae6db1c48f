/**
 * Shortens a path to fit, keeping its file name: "/data/runs/…/rank_0/model.ckpt". The start is kept as far as
 * it fits; the last part always stays (a name longer than the room keeps its end, where names differ).
 */
export function elideMiddle(path: string, fits: (text: string) => boolean): string {
  if (fits(path)) return path
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  const tail = cut >= 0 ? path.slice(cut) : path
  if (!fits(`…${tail}`)) return elideEvenly(tail, fits)
  const head = path.slice(0, Math.max(0, cut))
  let low = 0
  let high = head.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (fits(`${head.slice(0, mid)}…${tail}`)) low = mid
    else high = mid - 1
  }
  return `${head.slice(0, low)}…${tail}`
}

/** A name that does not fit whole keeps as much of its start and its end as fit. */
function elideEvenly(text: string, fits: (text: string) => boolean): string {
  let low = 0
  let high = Math.floor(text.length / 2)
  const cut = (keep: number) => `${text.slice(0, keep)}…${text.slice(text.length - keep)}`
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (fits(cut(mid))) low = mid
    else high = mid - 1
  }
  return cut(low)
}
