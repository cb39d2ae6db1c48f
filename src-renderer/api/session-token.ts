const STORAGE_KEY = 'shardscope.sessionToken'

/**
 * Browser mode's session token. The printed link carries it in the fragment (`#token=…`), which browsers
 * never send to a server nor put in a Referer; it is taken from there on first load, removed from the address
 * bar (and so from history and bookmarks), and kept in this tab's sessionStorage, which only pages of this
 * exact origin (scheme, host and port) can read, so a reload still works and no other local server sees it.
 */
export function sessionToken(): string | undefined {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('token')
  if (fromLink) {
    sessionStorage.setItem(STORAGE_KEY, fromLink)
    history.replaceState(history.state, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined
}
