import type { ClusterHostKey } from '../../../src-main/api/contract'

/** Asks the user to trust a host key: shown as its SHA256 fingerprint, used only after a yes, then pinned. */
export function TrustDialog({
  server,
  hostKey,
  onTrust,
  onClose
}: {
  server: string
  hostKey: ClusterHostKey
  onTrust: () => void
  onClose: () => void
}) {
  // A jump host's key is the jump host's own: pinned as the server's jump.hostKey, said so here.
  const whose = hostKey.jump ? `the jump host of ${server}` : server
  return (
    <div className="dialog-backdrop">
      <div className="panel trust-dialog" role="dialog" aria-modal="true" aria-label={`Host key of ${whose}`}>
        <h2>
          {hostKey.kind === 'unknown'
            ? `Trust the host key of ${whose}?`
            : `The host key of ${whose} changed`}
        </h2>
        <p>
          {hostKey.jump ? `The jump host of ${server}` : server} presented{' '}
          <span className="mono" data-testid="fingerprint">
            {hostKey.fingerprint}
          </span>
          .
        </p>
        {hostKey.kind === 'unknown' ? (
          <p className="muted">
            Compare it with what the node's administrator reads on the node (ssh-keygen -lf
            /etc/ssh/ssh_host_ed25519_key.pub). Once trusted it is pinned in the cluster profile; a different
            key later is refused.
          </p>
        ) : (
          <p className="server-error">
            The profile pins {hostKey.expected}. Nothing was sent. If the node was reinstalled, remove the old
            key from the profile first.
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {hostKey.kind === 'unknown' ? 'Do not trust' : 'Close'}
          </button>
          {hostKey.kind === 'unknown' && (
            <button type="button" className="primary" onClick={onTrust}>
              Trust and pin
            </button>
          )}
        </div>
      </div>
    </div>
  )
}
