import sampleJson from '../../../assets/sample-workspace.json'

/** The built-in sample workspace's model, as described in assets/sample-workspace.json. */
export interface SampleParam {
  name: string
  shape: number[]
  dtype: 'BFloat16' | 'Float32'
  stages: number[]
  sourceMap: number[]
  destinationMap: number[]
  optimizerShard: boolean
}

export interface SampleModel {
  title: string
  description: string
  source: { devMatrix: number[]; stages: number; optimizerShardSize: number }
  destination: { devMatrix: number[]; stages: number }
  extras: { name: string; dtype: 'Int32' | 'Float32'; shape: number[] }[]
  params: SampleParam[]
}

export const SAMPLE_MODEL = sampleJson as SampleModel
