/**
 * What the platform derives from a file's elements, recomputed here from the elements as answered
 * (docs/mock.md, "What the mock computes"; tests/clients/steps_v3.py checks the same for Python).
 */

import type { Api } from './api.ts';
import { type Checks, canonical } from './checks.ts';
import { mappedTo } from './steps-v3.ts';

const positive = (v: unknown) => typeof v === 'number' && v > 0;

const VALIDATION_TESTS: Record<string, (e: any) => boolean> = {
  ClassificationAssigned: (e) => Boolean(e.classificationMatch?.id),
  VolumeBaseQuantityAssigned: (e) => positive(e.volume),
  AreaBaseQuantityAssigned: (e) => positive(e.area),
  LengthBaseQuantityAssigned: (e) => positive(e.length),
  BaseQuantitiesAssigned: (e) => ['volume', 'area', 'length'].some((n) => positive(e[n])),
  MaterialSpecified: (e) => Boolean(e.materialName) || Boolean(mappedTo(e)),
  ElementsMapped: (e) => Boolean(mappedTo(e)),
};

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Each figure the elements decide: the share (0-100, two decimals) passing its test, by number and by volume. */
export function expectedValidation(elements: any[]): Record<string, number> {
  const volume = (list: any[]) => list.reduce((sum, e) => sum + (e.volume ?? 0), 0);
  const total = volume(elements);
  const out: Record<string, number> = {};
  for (const [name, test] of Object.entries(VALIDATION_TESTS)) {
    const passing = elements.filter(test);
    out[`percentage${name}ByNumber`] = elements.length ? round2((100 * passing.length) / elements.length) : 0;
    out[`percentage${name}ByVolume`] = total ? round2((100 * volume(passing)) / total) : 0;
  }
  return out;
}

function decided(figures: Record<string, unknown> | null | undefined, expected: Record<string, number>) {
  return Object.fromEntries(Object.entries(figures ?? {}).filter(([k]) => k in expected));
}

/** The status counts and message, the file's validation and the building's (the file its only active Source). */
export async function checkFigures(api: Api, c: Checks, building: any, file: any, elements: any[]) {
  const count = elements.length;
  const mapped = elements.filter((e) => mappedTo(e)).length;
  c.need(count > 0, 'no elements to derive figures from');
  const ids = { path: { buildingId: building.id, id: file.id } };
  const status = await api.call(c, 'GET', '/building/{buildingId}/files/{id}/status', 200, ids);
  c.equal([status.elementCount, status.elementProcessedCount], [count, count], 'file status: elementCount, elementProcessedCount');
  c.equal(status.statusMessage, `${mapped} of ${count} elements mapped`, 'file status: statusMessage');
  const expected = expectedValidation(elements);
  const read = await api.call(c, 'GET', '/building/{buildingId}/files/{id}', 200, ids);
  if (read.validation != null) {
    const got = decided(read.validation, expected);
    c.expect(Object.keys(got).length > 0, 'the file validation holds no figure the elements decide');
    c.equal(got, Object.fromEntries(Object.keys(got).map((k) => [k, expected[k]])), 'the file validation figures');
  }
  if (api.has('GET', '/building/{id}/validation')) {
    const figures = await api.call(c, 'GET', '/building/{id}/validation', 200, { path: { id: building.id } });
    const got = decided(figures, expected);
    c.expect(Object.keys(got).length > 0, 'the building validation holds no figure the elements decide');
    c.equal(got, Object.fromEntries(Object.keys(got).map((k) => [k, expected[k]])), 'the building validation figures');
    const again = await api.call(c, 'GET', '/building/{id}/validation', 200, { path: { id: building.id } });
    c.expect(canonical(again) === canonical(figures), 'the building validation read twice: not the same answer');
  }
}
