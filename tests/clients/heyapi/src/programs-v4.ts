/**
 * The v4.0 program of the published C# example: database and product got or created by
 * externalId, then its bill of materials made of standard Madaster commodities (by weight 100
 * and 50 kg, then 2 m3 by quantity). tests/clients/workflows_v4.py runs it with the Python client.
 */

import { randomUUID } from 'node:crypto';
import type { Api } from './api.ts';
import { type Checks, canonical } from './checks.ts';

const MADASTER_DATABASE = '00000000-0000-0000-0000-000000000000';
const CONCRETE = 'b499c354-fa05-4fc5-8ee4-8df89d09da4a'; // Beton C30/37
const STEEL = 'fafe6a22-b9c0-4062-a7bb-0c8ffce68cb2'; // Wapeningsstaal B500B, 7850 kg/m3

export const BOM_NEEDS = [
  'GET /database/external/{externalId}',
  'POST /database',
  'GET /commodity/{databaseId}/external/{externalId}',
  'POST /commodity',
  'POST /commodity/{id}/children/weight',
  'POST /commodity/{id}/children/quantity',
  'GET /commodity/{id}/children',
];

function productBody(key: string, databaseId: string) {
  return {
    commodityType: 'Product',
    databaseId,
    externalId: `PRD-${key}`,
    names: { nl: 'Houten kozijn met dubbel glas', en: 'Timber window frame, double glazed' },
    descriptions: { en: 'Pine frame, HR++ glazing, 1.2 x 1.5 m' },
    isActive: true,
    functionalUnit: 'Quantity',
    defaultFunctionalUnitAmount: 1,
    productCode: `KOZ-${key}`,
    lifespan: 40,
    doNotUseBillOfMaterials: false,
    calculateEnvironmentValuesFromBillOfMaterials: true,
  };
}

async function databaseFor(api: Api, c: Checks, key: string) {
  const externalId = `DB-${key}`;
  await api.missing(c, 'GET', '/database/external/{externalId}', { path: { externalId } });
  const created = await api.call(c, 'POST', '/database', 201, {
    body: { names: { nl: 'Leveranciers Kozijnen BV', en: 'Window Suppliers Ltd' }, externalId },
  });
  c.equal(created.externalId, externalId, 'the database created: externalId');
  const found = await api.call(c, 'GET', '/database/external/{externalId}', 200, { path: { externalId } });
  c.equal([found.id, found.names?.en], [created.id, 'Window Suppliers Ltd'], 'the database found by externalId');
  return found;
}

async function productFor(api: Api, c: Checks, key: string, database: any) {
  const path = { databaseId: database.id, externalId: `PRD-${key}` };
  await api.missing(c, 'GET', '/commodity/{databaseId}/external/{externalId}', { path });
  const sent = productBody(key, database.id);
  const created = await api.call(c, 'POST', '/commodity', 200, { body: sent });
  c.need(Boolean(created.id), `POST /commodity: no id in ${JSON.stringify(created)}`);
  const found = await api.call(c, 'GET', '/commodity/{databaseId}/external/{externalId}', 200, { path });
  c.equal([found.id, found.databaseId, found.commodityType], [created.id, database.id, 'Product'], 'the product found by externalId');
  c.equal(found.names?.nl, 'Houten kozijn met dubbel glas', 'the product found: names.nl');
  const lost = Object.entries(sent).filter(([k, v]) => canonical(found[k]) !== canonical(v));
  c.expect(!lost.length, `the product read back lost fields (sent, answered): ${JSON.stringify(lost.map(([k, v]) => [k, v, found[k]]))}`);
  return found;
}

async function children(api: Api, c: Checks, product: any): Promise<any[]> {
  const list: any[] = await api.call(c, 'GET', '/commodity/{id}/children', 200, { path: { id: product.id } });
  const sum = list.reduce((s, child) => s + child.weightPercentage, 0);
  c.expect(Math.abs(sum - 100) < 1e-9, `the children's weightPercentage sum to ${sum}, not 100`);
  const again = await api.call(c, 'GET', '/commodity/{id}/children', 200, { path: { id: product.id } });
  c.expect(canonical(again) === canonical(list), 'the children read twice: not the same answer');
  return list;
}

/** Children by weight 100 and 50 kg: kept as sent, shares 66.67 and 33.33; then 2 m3 of steel by
 * quantity: its weight from the steel's density, the shares again summing to 100. */
export async function billOfMaterials(api: Api, c: Checks): Promise<void> {
  const key = randomUUID().replace(/-/g, '').slice(0, 8);
  const database = await databaseFor(api, c, key);
  const product = await productFor(api, c, key, database);
  for (const id of [CONCRETE, STEEL]) {
    const standard = await api.call(c, 'GET', '/commodity/{id}', 200, { path: { id } });
    c.equal(standard.databaseId, MADASTER_DATABASE, `standard commodity ${id}: databaseId`);
  }
  for (const [commodityId, quantity] of [[CONCRETE, 100], [STEEL, 50]] as const) {
    await api.call(c, 'POST', '/commodity/{id}/children/weight', 202, { path: { id: product.id }, body: { commodityId, quantity } });
  }
  let list = await children(api, c, product);
  const rows = list.map((x) => [x.quantity, x.quantityType, x.weight]).sort((a, b) => a[0] - b[0]);
  c.equal(rows, [[50, 'weight', 50], [100, 'weight', 100]], 'the children by weight: quantity, quantityType, weight');
  c.equal(list.map((x) => x.weightPercentage).sort(), [33.33, 66.67], 'the children by weight: weightPercentage');
  c.equal([...new Set(list.map((x) => x.commodityType))], ['Material'], 'the children: commodityType');
  await api.call(c, 'POST', '/commodity/{id}/children/quantity', 202, { path: { id: product.id }, body: { commodityId: STEEL, quantity: 2 } });
  list = await children(api, c, product);
  const steel = list.find((x) => x.quantityType === 'm3');
  c.equal([steel?.quantity, steel?.weight], [2, 2 * 7850], 'the child by quantity: quantity, weight (7850 kg/m3)');
  const total = list.reduce((s, x) => s + x.weight, 0);
  for (const child of list) {
    const share = (100 * child.weight) / total;
    c.expect(Math.abs(child.weightPercentage - share) <= 0.01, `child ${child.commodityId}: weightPercentage ${child.weightPercentage}, its weight's share ${share.toFixed(2)}`);
  }
  const read = await api.call(c, 'GET', '/commodity/{id}', 200, { path: { id: product.id } });
  c.equal([read.id, read.databaseId], [product.id, database.id], 'the product read back: id, databaseId');
  if (api.has('GET', '/database/{id}/commodities')) {
    const listed: any[] = await api.call(c, 'GET', '/database/{id}/commodities', 200, { path: { id: database.id } });
    c.equal(listed.map((x) => x.id), [product.id], 'the database lists the product');
  }
}
