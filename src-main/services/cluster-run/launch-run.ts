import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { serverAccess, type ClusterProfile } from '../../engine/cluster/cluster-profile'
import type { LaunchArtefact } from '../../engine/cluster/launch-artefacts'
import { ShardscopeError } from '../../engine/errors'
import { newWriterTag, tempPathFor } from '../../engine/io/byte-sink'
import { ioError } from '../../engine/io/io-error'
import { checkDestinationAliasing } from '../../engine/plan/destination-aliasing'
import type { Problem } from '../../engine/plan/plan-types'
import { shellLine, shellWord } from '../../engine/util/shell-words'
import { connectSsh, type NewTrust } from '../cluster/ssh-transport'
import { joinRemote, type ExecResult, type Transport } from '../cluster/transport'

/**
 * Writes a launch's files into `dir` (each complete or not at all), scripts executable; never into the source
 * folder `source` the workers read, compared as the destination is (real paths, device and inode).
 */
export async function writeArtefacts(
  dir: string,
  artefact: LaunchArtefact,
  source: string
): Promise<string[]> {
  const aliasing: Problem[] = []
  await checkDestinationAliasing(source, dir, [], aliasing)
  if (aliasing.length > 0)
    throw new ShardscopeError(
      'BAD_INPUT',
      `The launch folder ${dir} is, or lies inside, the source ${source}: Shardscope never writes where it reads; choose another folder for the launch files.`,
      { file: dir }
    )
  try {
    await mkdir(dir, { recursive: true })
  } catch (err) {
    throw ioError(err, dir, 'create the launch folder')
  }
  const written: string[] = []
  for (const file of artefact.files) {
    const path = join(dir, file.name)
    const temp = tempPathFor(path, newWriterTag())
    try {
      await writeFile(temp, file.content, { flag: 'wx', mode: file.executable ? 0o755 : 0o644 })
      await rename(temp, path)
      // The mode of a new file passes through the umask; a script must run whatever the umask says.
      if (file.executable) await chmod(path, 0o755)
    } catch (err) {
      throw ioError(err, path, 'write')
    }
    written.push(path)
  }
  return written
}

export interface StartedLaunch {
  child: ChildProcess
  /** The launcher's exit code (a signal counts as failure). */
  exited: Promise<number>
}

/**
 * Starts the launch (`sh mpirun.sh`, `sbatch …`) on this machine in the artefacts' folder, output passed on line
 * by line. The child is ours: cancelling stops it by its PID (mpirun then stops its workers).
 */
export function startLocally(
  dir: string,
  artefact: LaunchArtefact,
  options: {
    wait?: boolean
    onOutput?: (text: string, stream: 'out' | 'err') => void
    env?: NodeJS.ProcessEnv
  } = {}
): StartedLaunch {
  const command = startCommand(artefact, options.wait)
  const child = spawn(command[0]!, command.slice(1), {
    cwd: dir,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout!.on('data', (chunk: Buffer) => options.onOutput?.(chunk.toString('utf8'), 'out'))
  child.stderr!.on('data', (chunk: Buffer) => options.onOutput?.(chunk.toString('utf8'), 'err'))
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (err) =>
      reject(
        new ShardscopeError(
          'BAD_INPUT',
          `Cannot start ${command[0]} (${(err as NodeJS.ErrnoException).code ?? err.message}); is it installed and on the PATH here?`
        )
      )
    )
    child.once('close', (code) => resolve(code ?? 1))
  })
  return { child, exited }
}

/**
 * Runs the launch on a login node over the cluster bridge's SSH (the profile's access for `server`, host key
 * pinned): the files go to `remoteDir`, then the start command runs there. Returns when the command ends (for
 * sbatch, once the job is queued; with `wait`, when it finished).
 */
export async function startOnLoginNode(
  profile: ClusterProfile,
  server: string,
  remoteDir: string,
  artefact: LaunchArtefact,
  options: { wait?: boolean; trust?: string; connect?: (server: string) => Promise<Transport> } = {}
): Promise<ExecResult & { remoteDir: string; newTrust: NewTrust[] }> {
  if (!profile.servers[server] && !profile.defaults?.host)
    throw new ShardscopeError('BAD_INPUT', `The cluster profile has no entry for the login node ${server}.`)
  const newTrust: NewTrust[] = []
  const transport = options.connect
    ? await options.connect(server)
    : await connectSsh(
        {
          server,
          access: serverAccess(profile, server),
          ...(options.trust ? { trust: { host: options.trust } } : {})
        },
        newTrust
      )
  try {
    await transport.mkdirp(remoteDir)
    for (const file of artefact.files)
      await transport.writeSmallFile(joinRemote(remoteDir, file.name), Buffer.from(file.content, 'utf8'))
    const command = startCommand(artefact, options.wait)
    const result = await transport.exec(`cd ${shellWord(remoteDir)} && ${shellLine(command)}`)
    return { ...result, remoteDir, newTrust }
  } finally {
    await transport.close()
  }
}

function startCommand(artefact: LaunchArtefact, wait: boolean | undefined): string[] {
  if (!artefact.start)
    throw new ShardscopeError('BAD_INPUT', `This launch is not started by Shardscope: ${artefact.howTo}`)
  const [program, ...rest] = artefact.start
  return program === 'sbatch' && wait ? [program, '--wait', ...rest] : artefact.start
}
