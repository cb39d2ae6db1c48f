import { createHash } from 'node:crypto'
import { ShardscopeError } from '../../engine/errors'

/** `SHA256:<base64 without padding>` of the raw key blob, exactly as `ssh-keygen -lf` prints it. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

/** A host key we must not use: never seen before (needs the user's trust) or different from the pinned one. */
export class HostKeyError extends ShardscopeError {
  constructor(
    readonly server: string,
    readonly kind: 'unknown' | 'changed',
    readonly fingerprint: string,
    readonly host: string,
    readonly expected?: string,
    /** The key is the jump host's, which the profile pins apart from the server's own (`jump.hostKey`). */
    readonly jump = false
  ) {
    const who = jump ? `The jump host ${host} of ${server}` : `${server} (${host})`
    super(
      'BAD_INPUT',
      kind === 'unknown'
        ? `${who} presented host key ${fingerprint}, which is not trusted yet; check it with the node's administrator (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the node), then trust it (--trust-host ${server}=${fingerprint}).`
        : `${who} presented host key ${fingerprint}, but the cluster profile pins ${expected}; the node was reinstalled or someone is in between. Nothing was sent. If the change is expected, remove the old hostKey from the profile and trust the new one.`,
      {}
    )
  }
}

/** Decides about a presented key: pinned and equal, or once-trusted for this run (and then pinned). */
export function checkHostKey(
  server: string,
  host: string,
  presented: Buffer,
  pinned: string | undefined,
  trustedNow: string | undefined,
  jump = false
): { ok: true; fingerprint: string; newlyTrusted: boolean } | { ok: false; error: HostKeyError } {
  const fingerprint = fingerprintOf(presented)
  if (pinned !== undefined) {
    return fingerprint === pinned
      ? { ok: true, fingerprint, newlyTrusted: false }
      : { ok: false, error: new HostKeyError(server, 'changed', fingerprint, host, pinned, jump) }
  }
  if (trustedNow === fingerprint) return { ok: true, fingerprint, newlyTrusted: true }
  return { ok: false, error: new HostKeyError(server, 'unknown', fingerprint, host, undefined, jump) }
}

/** A refused host key as results carry it to a shell, which may offer to trust it (and pin it where it belongs). */
export interface HostKeyProblem {
  kind: 'unknown' | 'changed'
  fingerprint: string
  expected?: string
  /** The jump host's key, pinned as the server's `jump.hostKey`. */
  jump?: true
}

export function hostKeyProblem(err: HostKeyError): HostKeyProblem {
  return {
    kind: err.kind,
    fingerprint: err.fingerprint,
    ...(err.expected ? { expected: err.expected } : {}),
    ...(err.jump ? { jump: true as const } : {})
  }
}
