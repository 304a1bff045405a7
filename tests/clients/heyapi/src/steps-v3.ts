/**
 * The steps of the published v3.0 programs as a team writes them with the generated client,
 * each answer checked as tests/clients/steps_v3.py checks it for the Python clients.
 */

import { randomUUID } from 'node:crypto';
import type { Api } from './api.ts';
import { type Checks, inOrder, poll } from './checks.ts';

export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
export const MADASTER_DATABASE = EMPTY_GUID;
export const EPEA_DATABASE = '00000000-0000-0000-0000-000000000003';
export const OKOBAUDAT_DATABASE = 'cd2bda71-760b-4fcc-8a0b-3877c10000a8';
export const CONCRETE = 'b499c354-fa05-4fc5-8ee4-8df89d09da4a'; // Beton C30/37, Madaster database

export const SOURCE_LIFECYCLE = ['Creating', 'Uploaded', 'Importing', 'Imported', 'Refining', 'Refined', 'Mapping', 'Mapped'];
const FAILED = new Set(['ImportFailed', 'UnknownImportFile', 'RefineFailed', 'Error']);

const FILE = '/building/{buildingId}/files/{id}';
const ELEMENTS_PATH = '/building/{buildingId}/files/{fileId}/elements';

export interface Made {
  account: any;
  folder: any;
  building: any;
  nlSfb: any;
}

/** csharp/basic: the classification method whose `Name.AdditionalProperties["iv"]` is `name`. */
export async function methodByInvariantName(api: Api, c: Checks, name: string): Promise<any> {
  const methods: any[] = await api.call(c, 'GET', '/system/classificationmethods', 200);
  const found = methods.filter((m) => m.name?.iv === name);
  c.need(found.length === 1, `no single classification method with iv name ${name}: ${JSON.stringify(methods.map((m) => m.name))}`);
  return found[0];
}

/** Account, the Portfolio folder type, a folder at the top (ParentId unset: the empty Guid), a building in it. */
export async function setupBuilding(api: Api, c: Checks): Promise<Made> {
  const account = await api.call(c, 'GET', '/account', 200);
  c.need(Boolean(account.id), `GET /account: no id in ${JSON.stringify(account)}`);
  const types: any[] = await api.call(c, 'GET', '/account/foldertypes', 200);
  const portfolio = types.find((t) => t.name?.nl === 'Portfolio');
  c.need(portfolio !== undefined, `no folder type named nl "Portfolio" in ${JSON.stringify(types.map((t) => t.name))}`);

  const name = `Portfolio Utrecht ${randomUUID().slice(0, 6)}`;
  const before: any[] = await api.call(c, 'GET', '/folder', 200);
  c.expect(!before.some((f) => f.name === name), `folder ${name} listed before it was created`);
  const folder = await api.call(c, 'POST', '/folder', 201, {
    body: { name, parentId: EMPTY_GUID, foldertypeId: portfolio.id },
  });
  c.expect(api.header('X-Mock-Leniency').includes('empty-guid-parent'), `POST /folder: leniency empty-guid-parent not named: "${api.header('X-Mock-Leniency')}"`);
  c.equal(folder.name, name, 'the folder created: name');
  c.equal(folder.parentId, account.id, 'the folder created with the empty Guid as parentId: parentId (the account)');
  c.equal(folder.foldertypeId, portfolio.id, 'the folder created: foldertypeId');
  const listed: any[] = await api.call(c, 'GET', '/folder', 200);
  c.equal(listed.filter((f) => f.name === name).map((f) => f.id), [folder.id], 'GET /folder: the new folder listed once');

  const usages = await api.call(c, 'GET', '/system/buildingusages', 200);
  c.expect('other-othersub' in usages, `GET /system/buildingusages: no other-othersub in ${Object.keys(usages)}`);
  const families: any[] = await api.call(c, 'GET', '/system/materialfamilies', 200);
  c.expect(families.some((f) => f.id === 'nl_sfb'), 'GET /system/materialfamilies: no nl_sfb');
  const nlSfb = await methodByInvariantName(api, c, 'NL-SfB');
  c.equal(nlSfb.name?.nl, 'NL-SfB', 'the NL-SfB method: its nl name');

  const buildingFields = api.bodyFields('POST', '/building');
  const fileFields = api.bodyFields('POST', '/building/{buildingId}/files');
  const body: Record<string, unknown> = {
    folderId: folder.id,
    name: 'Kantoor Maliebaan 12',
    phase: 'New',
    completionDate: '2026-11-30T20:18:35.951712', // without an offset, as the published client sends it
    buildingUsage: 'other-othersub',
    grossSurfaceArea: 2450.0,
    materialClassificationTypeId: 'nl_sfb',
  };
  if (buildingFields.has('buildingUsageOtherDescription')) body.buildingUsageOtherDescription = 'Kantoor met bedrijfsruimte';
  if (buildingFields.has('classificationType') && !fileFields.has('classificationTypeId')) body.classificationType = nlSfb.id;
  const building = await api.call(c, 'POST', '/building', 201, { body });
  c.expect(api.header('X-Mock-Leniency').includes('datetime-without-offset'), 'POST /building: leniency datetime-without-offset not named');
  c.equal(building.folderId, folder.id, 'the building created: folderId');
  c.expect(String(building.completionDate).startsWith('2026-11-30T20:18:35.951712'), `the building's completionDate: ${building.completionDate}`);
  if (api.has('GET', '/building/{id}/availabledatabases')) {
    const offered: any[] = await api.call(c, 'GET', '/building/{id}/availabledatabases', 200, { path: { id: building.id } });
    const ids = new Set(offered.map((d) => d.databaseId));
    c.expect(ids.has(MADASTER_DATABASE) && ids.has(EPEA_DATABASE), `the standard databases are not offered: ${[...ids]}`);
  }
  const read = await api.call(c, 'GET', '/building/{id}', 200, { path: { id: building.id } });
  c.equal([read.id, read.name], [building.id, 'Kantoor Maliebaan 12'], 'the building read back: id, name');
  return { account, folder, building, nlSfb };
}

/** A building file of type Source preferring the standard databases: nameless and inactive. */
export async function createSourceFile(api: Api, c: Checks, building: any, classificationId: string, name: string) {
  const body: Record<string, unknown> = { type: 'Source', name, preferredDatabaseIds: [MADASTER_DATABASE, EPEA_DATABASE] };
  if (api.bodyFields('POST', '/building/{buildingId}/files').has('classificationTypeId')) body.classificationTypeId = classificationId;
  const file = await api.call(c, 'POST', '/building/{buildingId}/files', 201, { path: { buildingId: building.id }, body });
  c.equal([file.buildingId, file.type], [building.id, 'Source'], 'the file created: buildingId, type');
  c.equal([file.fileName ?? null, file.isActive], [null, false], 'the file created: fileName (nothing uploaded), isActive');
  return file;
}

const ids = (building: any, file: any) => ({ path: { buildingId: building.id, id: file.id } });

/** Poll the status endpoint until one of `targets` (a failure status ends it too); the file shows the same. */
export async function waitForFile(api: Api, c: Checks, building: any, file: any, targets: string[]): Promise<[string, string[]]> {
  const [status, seen] = await poll(
    c,
    async () => (await api.call(c, 'GET', `${FILE}/status`, 200, ids(building, file))).status as string,
    (s) => targets.includes(s) || FAILED.has(s),
    `file ${file.id} until ${targets}`,
  );
  const read = await api.call(c, 'GET', FILE, 200, ids(building, file));
  c.equal(read.status, status, `file ${file.id}: its status beside the status endpoint's`);
  return [status, seen];
}

export async function upload(api: Api, c: Checks, building: any, file: any, fileName: string, content: Uint8Array) {
  await api.call(c, 'POST', `${FILE}/upload/{fileName}`, [201, 202], {
    path: { buildingId: building.id, id: file.id, fileName },
    body: new Blob([content]),
  });
}

/** setimporting (where the build has it), the first element alone, the rest in one batch; read back. */
export async function addElements(api: Api, c: Checks, building: any, file: any, elements: Record<string, any>[]) {
  if (api.has('POST', `${FILE}/setimporting`)) {
    await api.call(c, 'POST', `${FILE}/setimporting`, 204, ids(building, file));
    c.equal((await api.call(c, 'GET', FILE, 200, ids(building, file))).status, 'Importing', 'after setimporting: status');
  }
  const where = { path: { buildingId: building.id, fileId: file.id } };
  const first = await api.call(c, 'POST', ELEMENTS_PATH, 201, { ...where, body: elements[0] });
  c.equal(first.id, elements[0].id, 'the first element created: id');
  if (elements.length > 1) {
    const result = await api.call(c, 'POST', `${ELEMENTS_PATH}/batch`, 200, { ...where, body: elements.slice(1) });
    c.expect(!result.failures?.length, `the batch failed: ${JSON.stringify(result.failures)}`);
  }
  const listed: any[] = await api.call(c, 'GET', ELEMENTS_PATH, 200, where);
  c.equal(listed.map((e) => e.id).sort(), elements.map((e) => e.id).sort(), 'the elements listed');
  for (const element of elements) {
    const read = await api.call(c, 'GET', `${ELEMENTS_PATH}/{id}`, 200, { path: { ...where.path, id: element.id } });
    c.equal(read.buildingFileId, file.id, `element ${element.id}: buildingFileId`);
    for (const [k, v] of Object.entries(element)) {
      if (!k.endsWith('Lookup') && k !== 'materialId') c.equal(read[k], v, `element ${element.id}: ${k} read back`);
    }
  }
}

export async function refineUntilMapped(api: Api, c: Checks, building: any, file: any) {
  await api.call(c, 'POST', `${FILE}/startrefinement`, 202, ids(building, file));
  const [status, seen] = await waitForFile(api, c, building, file, ['Mapped']);
  c.need(status === 'Mapped', `refinement ended in ${status}: ${seen}`);
  c.expect(inOrder(seen, SOURCE_LIFECYCLE), `statuses went backwards: ${seen}`);
}

/** Activate the file; the building is dirty until the platform has processed it. */
export async function activateUntilClean(api: Api, c: Checks, building: any, file: any) {
  const active = await api.call(c, 'POST', `${FILE}/active`, 200, { ...ids(building, file), body: true });
  c.equal([active.id, active.isActive], [file.id, true], 'the file activated: id, isActive');
  await poll(
    c,
    () => api.call(c, 'GET', '/building/{id}', 200, { path: { id: building.id } }),
    (b: any) => b.isDirty === false,
    `building ${building.id} until not dirty`,
  );
}

export async function elementsOf(api: Api, c: Checks, building: any, file: any): Promise<any[]> {
  return api.call(c, 'GET', ELEMENTS_PATH, 200, { path: { buildingId: building.id, fileId: file.id } });
}

export const mappedTo = (element: any): string | null => element.mapping?.id ?? null;
