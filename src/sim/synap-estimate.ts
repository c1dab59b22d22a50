// POST /v1/credits/estimate: price a planned usage without spending anything.
// The real price list is not public; this table only has to be stable and plausible.

import { json, type SimResponse } from './http.js';
import { SYNAP_METRICS } from './synap-seed.js';
import { missing, type ValidationItem } from './synap-validation.js';

/** Credits per unit of each metric. */
export const SYNAP_PRICES: Readonly<Record<(typeof SYNAP_METRICS)[number], number>> = {
  llm_input_tokens: 0.002,
  llm_output_tokens: 0.006,
  embedding_tokens: 0.0004,
  memory_storage_gb_hours: 0.05,
  retrieval_queries: 0.01,
};

export function priceEstimate(metric: keyof typeof SYNAP_PRICES, units: number, itemCount = 1): number {
  return Math.round(units * SYNAP_PRICES[metric] * itemCount * 10_000) / 10_000;
}

const isPricedMetric = (v: unknown): v is keyof typeof SYNAP_PRICES => typeof v === 'string' && Object.hasOwn(SYNAP_PRICES, v);

function validate(body: Record<string, unknown>): ValidationItem[] {
  const problems: ValidationItem[] = [];
  const { metric_type, units, item_count, endpoint, mode } = body;
  if (metric_type === undefined) problems.push(missing(['body', 'metric_type'], body));
  else if (!isPricedMetric(metric_type)) {
    const expected = SYNAP_METRICS.map((m) => `'${m}'`).join(', ');
    problems.push({ type: 'enum', loc: ['body', 'metric_type'], msg: `Input should be ${expected}`, input: metric_type, ctx: { expected } });
  }
  if (units === undefined) problems.push(missing(['body', 'units'], body));
  else if (typeof units !== 'number' || !Number.isFinite(units)) {
    problems.push({ type: 'float_type', loc: ['body', 'units'], msg: 'Input should be a valid number', input: units });
  } else if (units <= 0) {
    problems.push({ type: 'greater_than', loc: ['body', 'units'], msg: 'Input should be greater than 0', input: units, ctx: { gt: 0 } });
  }
  if (item_count !== undefined && item_count !== null) {
    if (typeof item_count !== 'number' || !Number.isInteger(item_count)) {
      problems.push({ type: 'int_type', loc: ['body', 'item_count'], msg: 'Input should be a valid integer', input: item_count });
    } else if (item_count < 1) {
      problems.push({ type: 'greater_than_equal', loc: ['body', 'item_count'], msg: 'Input should be greater than or equal to 1', input: item_count, ctx: { ge: 1 } });
    }
  }
  for (const [name, value] of [['endpoint', endpoint], ['mode', mode]] as const) {
    if (value !== undefined && value !== null && typeof value !== 'string') {
      problems.push({ type: 'string_type', loc: ['body', name], msg: 'Input should be a valid string', input: value });
    }
  }
  return problems;
}

export function estimate(rawBody: string | undefined): SimResponse {
  if (rawBody === undefined || rawBody.trim() === '') return json(422, { detail: [missing(['body'], null)] });
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return json(400, { error: 'Request body is not valid JSON', code: 'INVALID_INPUT', details: {} });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const item: ValidationItem = { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body };
    return json(422, { detail: [item] });
  }
  const record = body as Record<string, unknown>;
  const problems = validate(record);
  if (problems.length > 0) return json(422, { detail: problems });
  const itemCount = typeof record.item_count === 'number' ? record.item_count : 1;
  return json(200, { credits_estimate: priceEstimate(record.metric_type as keyof typeof SYNAP_PRICES, record.units as number, itemCount) });
}
