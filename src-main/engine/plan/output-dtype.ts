import { ShardscopeError } from '../errors'
import { dtypeByName } from '../formats/dtypes'

const ALIASES: Record<string, string> = {
  bf16: 'BFloat16',
  bfloat16: 'BFloat16',
  fp16: 'Float16',
  float16: 'Float16',
  half: 'Float16',
  fp32: 'Float32',
  float32: 'Float32',
  float: 'Float32',
  fp64: 'Float64',
  float64: 'Float64',
  double: 'Float64'
}

/** The `--dtype` argument as a canonical floating-point dtype name. */
export function parseCastTarget(text: string): string {
  const name = ALIASES[text.toLowerCase()] ?? text
  const info = dtypeByName(name)
  if (!info?.float) {
    throw new ShardscopeError(
      'BAD_INPUT',
      `--dtype must be a floating-point type (bfloat16, float16, float32 or float64), got "${text}"; integer tensors are never cast.`
    )
  }
  return info.name
}

/** What a tensor of `dtype` is written as: floats take the cast target, everything else stays as it is. */
export function outputDtype(dtype: string, target: string | undefined): string {
  return target && dtypeByName(dtype)?.float ? target : dtype
}
