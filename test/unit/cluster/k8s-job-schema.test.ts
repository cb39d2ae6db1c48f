import { describe, expect, it } from 'vitest'
import { k8sJobArtefact, type K8sLaunch } from '../../../src-main/engine/cluster/k8s-job'

// The object types of the Kubernetes API reference (batch/v1 Job, core/v1 pod types) that an Indexed Job of
// ours can contain: each field it may hold, with its JSON type, and the fields the reference marks required.
// Only the fields of the reference are listed; anything the artefact writes outside them is an error, as
// `kubectl apply --validate=strict` would say.
type Field = 'string' | 'integer' | 'boolean' | 'strings' | 'map' | { object: string } | { list: string }
interface TypeDoc {
  fields: Record<string, Field>
  required?: string[]
}
const API: Record<string, TypeDoc> = {
  Job: {
    fields: {
      apiVersion: 'string',
      kind: 'string',
      metadata: { object: 'ObjectMeta' },
      spec: { object: 'JobSpec' }
    }
  },
  ObjectMeta: {
    fields: { name: 'string', generateName: 'string', namespace: 'string', labels: 'map', annotations: 'map' }
  },
  JobSpec: {
    fields: {
      activeDeadlineSeconds: 'integer',
      backoffLimit: 'integer',
      backoffLimitPerIndex: 'integer',
      completionMode: 'string',
      completions: 'integer',
      manualSelector: 'boolean',
      maxFailedIndexes: 'integer',
      parallelism: 'integer',
      podReplacementPolicy: 'string',
      suspend: 'boolean',
      template: { object: 'PodTemplateSpec' },
      ttlSecondsAfterFinished: 'integer'
    },
    required: ['template']
  },
  PodTemplateSpec: { fields: { metadata: { object: 'ObjectMeta' }, spec: { object: 'PodSpec' } } },
  PodSpec: {
    fields: {
      containers: { list: 'Container' },
      restartPolicy: 'string',
      volumes: { list: 'Volume' },
      nodeSelector: 'map',
      serviceAccountName: 'string',
      terminationGracePeriodSeconds: 'integer'
    },
    required: ['containers']
  },
  Container: {
    fields: {
      name: 'string',
      image: 'string',
      command: 'strings',
      args: 'strings',
      workingDir: 'string',
      imagePullPolicy: 'string',
      resources: { object: 'ResourceRequirements' },
      volumeMounts: { list: 'VolumeMount' }
    },
    required: ['name']
  },
  ResourceRequirements: { fields: { limits: 'map', requests: 'map' } },
  VolumeMount: {
    fields: { name: 'string', mountPath: 'string', readOnly: 'boolean', subPath: 'string' },
    required: ['name', 'mountPath']
  },
  Volume: {
    fields: {
      name: 'string',
      persistentVolumeClaim: { object: 'PersistentVolumeClaimVolumeSource' },
      hostPath: { object: 'HostPathVolumeSource' }
    },
    required: ['name']
  },
  PersistentVolumeClaimVolumeSource: {
    fields: { claimName: 'string', readOnly: 'boolean' },
    required: ['claimName']
  },
  HostPathVolumeSource: { fields: { path: 'string', type: 'string' }, required: ['path'] }
}

/** Every place where `value` leaves the documented schema of `type`, as `path: what`. */
function schemaErrors(value: unknown, type: string, at = type): string[] {
  const doc = API[type]!
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: not an object`]
  const record = value as Record<string, unknown>
  const errors = (doc.required ?? []).filter((f) => !(f in record)).map((f) => `${at}.${f}: required`)
  for (const [key, item] of Object.entries(record)) {
    const field = doc.fields[key]
    const where = `${at}.${key}`
    if (!field) errors.push(`${where}: not a field of ${type}`)
    else if (field === 'string' && typeof item !== 'string') errors.push(`${where}: not a string`)
    else if (field === 'integer' && !Number.isInteger(item)) errors.push(`${where}: not an integer`)
    else if (field === 'boolean' && typeof item !== 'boolean') errors.push(`${where}: not a boolean`)
    else if (field === 'strings' && !(Array.isArray(item) && item.every((s) => typeof s === 'string')))
      errors.push(`${where}: not a list of strings`)
    else if (
      field === 'map' &&
      !(typeof item === 'object' && item !== null && Object.values(item).every((s) => typeof s === 'string'))
    )
      errors.push(`${where}: not a map of strings`)
    else if (typeof field === 'object' && 'object' in field)
      errors.push(...schemaErrors(item, field.object, where))
    else if (typeof field === 'object' && 'list' in field) {
      if (!Array.isArray(item)) errors.push(`${where}: not a list`)
      else item.forEach((x, i) => errors.push(...schemaErrors(x, field.list, `${where}[${i}]`)))
    }
  }
  return errors
}

const launch: K8sLaunch = {
  spec: {
    src: '/shared/ckpt',
    dst: '/shared/out',
    srcStrategy: '/shared/s.ckpt',
    dstStrategy: '/shared/d.ckpt'
  },
  assignment: { basis: 'balanced', count: 3, shares: [] },
  shardscope: ['shardscope'],
  image: 'registry.example/shardscope:0.1',
  volume: { claim: 'checkpoints' },
  mountPath: '/shared',
  cpu: '2',
  namespace: 'training'
}
const job = (l: K8sLaunch) => JSON.parse(k8sJobArtefact(l).files[0]!.content)

describe('the Kubernetes Indexed Job against the API reference', () => {
  it('holds only documented fields of documented types, the required ones present', () => {
    expect(schemaErrors(job(launch), 'Job')).toEqual([])
    expect(
      schemaErrors(job({ ...launch, volume: { hostPath: '/mnt/lustre' }, memory: '8Gi' }), 'Job')
    ).toEqual([])
  })

  it('uses the documented values: Indexed completion, Never restarts, a hostPath type that exists', () => {
    const j = job({ ...launch, volume: { hostPath: '/mnt/lustre' } })
    expect(j.spec.completionMode).toBe('Indexed')
    expect(['Never', 'OnFailure']).toContain(j.spec.template.spec.restartPolicy)
    expect([
      '',
      'DirectoryOrCreate',
      'Directory',
      'FileOrCreate',
      'File',
      'Socket',
      'CharDevice',
      'BlockDevice'
    ]).toContain(j.spec.template.spec.volumes[0].hostPath.type)
    // The pods' hostnames are <job name>-<index>: the name must leave room for the index within 63 characters.
    expect(j.metadata.name.length).toBeLessThanOrEqual(63 - 1 - String(launch.assignment.count - 1).length)
    for (const [key, value] of Object.entries({ ...j.metadata.labels, ...j.spec.template.metadata.labels })) {
      expect(key).toMatch(/^([a-z0-9.-]{1,253}\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/)
      expect(value).toMatch(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/)
    }
    // Every volume mounted is declared, and the other way round.
    const mounts = j.spec.template.spec.containers.flatMap((c: { volumeMounts: { name: string }[] }) =>
      c.volumeMounts.map((m) => m.name)
    )
    expect(new Set(mounts)).toEqual(
      new Set(j.spec.template.spec.volumes.map((v: { name: string }) => v.name))
    )
  })

  it('finds what leaves the schema (the check itself can fail)', () => {
    const bad = job(launch)
    bad.spec.completionsMode = 'Indexed'
    bad.spec.template.spec.containers[0].resources.limits = { cpu: 2 }
    delete bad.spec.template.spec.volumes[0].name
    expect(schemaErrors(bad, 'Job').sort()).toEqual(
      [
        'Job.spec.completionsMode: not a field of JobSpec',
        'Job.spec.template.spec.containers[0].resources.limits: not a map of strings',
        'Job.spec.template.spec.volumes[0].name: required'
      ].sort()
    )
  })
})
