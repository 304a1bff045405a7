/**
 * csharp/basic and csharp/upload-ifc-file call for call (tests/clients/workflows_csharp.py runs
 * the same programs with the Python clients).
 */

import type { Api } from './api.ts';
import { type Checks, inOrder, isClose } from './checks.ts';
import { checkFigures } from './figures.ts';
import {
  CONCRETE,
  OKOBAUDAT_DATABASE,
  SOURCE_LIFECYCLE,
  activateUntilClean,
  addElements,
  createSourceFile,
  elementsOf,
  mappedTo,
  methodByInvariantName,
  refineUntilMapped,
  setupBuilding,
  upload,
  waitForFile,
} from './steps-v3.ts';

/** The IFC file the Python tests authored (tests/ifc_models.py) and its elements by GlobalId. */
export interface Authored {
  content: Uint8Array;
  expected: Record<string, Record<string, any>>;
}

export const BASIC_NEEDS = [
  'GET /system/classificationmethods',
  'POST /folder',
  'POST /building',
  'POST /building/{buildingId}/files',
  'POST /building/{buildingId}/files/{id}/active',
];
export const IFC_NEEDS = [...BASIC_NEEDS, 'POST /building/{buildingId}/files/{id}/upload/{fileName}'];
const ADD_ELEMENTS = '/building/{buildingId}/files/{fileId}/elements';
const SETIMPORTING = '/building/{buildingId}/files/{id}/setimporting';

export const ELEMENTS: Record<string, any>[] = [
  {
    id: '2O2Fr$t4X7Zf8NOew3FLOH',
    name: 'Wand beton 200 mm',
    materialName: 'Beton C20/25',
    typeName: 'Basic Wall:Beton 200',
    elementClass: 'IfcWall',
    volume: 12.4,
    area: 62.0,
    classificationLookup: '21.12',
    phaseLookup: 'Nieuwbouw',
    floor: '00 begane grond',
  },
  {
    id: '1kTvXnbbzCWw8lcMd1dR4o',
    name: 'Vloer kanaalplaat 250 mm',
    materialName: 'Beton C30/37',
    elementClass: 'IfcSlab',
    volume: 30.5,
    area: 122.0,
    classificationLookup: '23.21',
    floor: '01 eerste verdieping',
  },
  {
    id: '3mE1Gq0MD4xBWsbvTiqz3e',
    name: 'Kozijn hout',
    materialName: 'Hout - vuren',
    elementClass: 'IfcWindow',
    volume: 0.35,
    classificationLookup: '31.21',
    floor: '00 begane grond',
  },
];

/** csharp/basic: folder at the top (empty Guid), building, a file classified NL-SfB (by its iv
 * name), elements (an IFC upload where the build takes none through the API), Mapped, active. */
export async function basic(api: Api, c: Checks, ifc: Authored): Promise<void> {
  const made = await setupBuilding(api, c);
  const nlSfb = await methodByInvariantName(api, c, 'NL-SfB');
  const building = made.building;
  const file = await createSourceFile(api, c, building, nlSfb.id, 'Constructie.ifc');
  if (api.has('POST', ADD_ELEMENTS)) {
    await addElements(api, c, building, file, ELEMENTS);
    await refineUntilMapped(api, c, building, file);
  } else {
    await upload(api, c, building, file, 'Constructie.ifc', ifc.content);
    const [status, seen] = await waitForFile(api, c, building, file, ['Mapped']);
    c.need(status === 'Mapped', `the upload ended in ${status}: ${seen}`);
  }
  await activateUntilClean(api, c, building, file);
  const elements = await elementsOf(api, c, building, file);
  if (api.has('POST', SETIMPORTING)) {
    const byId = Object.fromEntries(elements.map((e) => [e.id, e]));
    const wall = byId[ELEMENTS[0].id] ?? {};
    c.equal(wall.classificationMatch?.code, '21.12', 'the wall: its NL-SfB class looked up');
    c.equal(wall.phaseMatch?.name, 'Nieuwbouw', 'the wall: its phase looked up');
    c.equal(mappedTo(byId[ELEMENTS[1].id] ?? {}), CONCRETE, 'the slab "Beton C30/37": mapped to the Madaster material');
  }
  await checkFigures(api, c, building, file, elements);
}

/** csharp/upload-ifc-file: the authored IFC uploaded, polled until Mapped, its elements read back
 * by GlobalId; refinement restarted with other databases; a file that is no IFC fails. */
export async function uploadIfcFile(api: Api, c: Checks, ifc: Authored): Promise<void> {
  const { building } = await setupBuilding(api, c);
  const nlSfb = await methodByInvariantName(api, c, 'NL-SfB');
  const file = await createSourceFile(api, c, building, nlSfb.id, 'Kantoor.ifc');
  const before = Math.floor(Date.now() / 1000) * 1000;
  await upload(api, c, building, file, 'Kantoor.ifc', ifc.content);
  let [status, seen] = await waitForFile(api, c, building, file, ['Mapped']);
  c.need(status === 'Mapped', `the upload ended in ${status}: ${seen}`);
  c.expect(inOrder(seen, SOURCE_LIFECYCLE), `statuses went backwards: ${seen}`);
  const ids = { path: { buildingId: building.id, id: file.id } };
  const read = await api.call(c, 'GET', '/building/{buildingId}/files/{id}', 200, ids);
  c.equal([read.fileName, read.fileSize], ['Kantoor.ifc', ifc.content.length], 'the file after its upload: fileName, fileSize');
  const modified = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(read.lastModifiedDate) ? read.lastModifiedDate : `${read.lastModifiedDate}Z`);
  c.expect(before <= modified && modified <= Date.now(), `lastModifiedDate ${read.lastModifiedDate}: not the mock's clock, just now`);

  const elements = Object.fromEntries((await elementsOf(api, c, building, file)).map((e) => [e.id, e]));
  const missing = Object.keys(ifc.expected).filter((id) => !(id in elements));
  const extra = Object.keys(elements).filter((id) => !(id in ifc.expected));
  c.need(!missing.length && !extra.length, `elements by GlobalId: missing ${missing}, not authored ${extra}`);
  for (const [globalId, expected] of Object.entries(ifc.expected)) {
    const element = elements[globalId];
    for (const name of ['name', 'elementClass', 'typeName', 'materialName', 'floor']) {
      c.equal(element[name], expected[name], `element ${globalId}: ${name}`);
    }
    for (const name of ['volume', 'area', 'length']) {
      const want = expected[name] ?? 0;
      c.expect(isClose(element[name] ?? NaN, want), `element ${globalId}: ${name} ${element[name]}, authored ${want}`);
    }
    if (expected.materialName === 'Beton C30/37') {
      c.equal(mappedTo(element), CONCRETE, `element ${globalId} of Beton C30/37: mapped to the Madaster material`);
    }
  }
  const one = Object.keys(ifc.expected)[0];
  const path = '/building/{buildingId}/files/{fileId}/elements/{id}';
  const byGlobalId = await api.call(c, 'GET', path, 200, { path: { buildingId: building.id, fileId: file.id, id: one } });
  c.equal([byGlobalId.id, byGlobalId.name], [one, ifc.expected[one].name], `GET ${path} by GlobalId ${one}`);

  const restart = '/building/{buildingId}/files/restartrefinement';
  if (api.has('POST', restart)) {
    const body = { fileId: file.id, preferredDatabaseIds: [OKOBAUDAT_DATABASE] };
    await api.call(c, 'POST', restart, 202, { path: { buildingId: building.id }, body });
    [status, seen] = await waitForFile(api, c, building, file, ['Mapped']);
    c.need(status === 'Mapped', `the restarted refinement ended in ${status}: ${seen}`);
    c.expect(inOrder(seen, SOURCE_LIFECYCLE), `statuses went backwards: ${seen}`);
    const again = await elementsOf(api, c, building, file);
    c.expect(!again.some((e) => mappedTo(e) === CONCRETE), 'refined with Ökobaudat only: an element is still mapped to the Madaster concrete');
  }
  await activateUntilClean(api, c, building, file);
  await checkFigures(api, c, building, file, await elementsOf(api, c, building, file));

  const bad = await createSourceFile(api, c, building, nlSfb.id, 'notities.txt');
  await upload(api, c, building, bad, 'notities.txt', new TextEncoder().encode('Dit is geen IFC-bestand, maar een notitie.\n'));
  [status, seen] = await waitForFile(api, c, building, bad, ['ImportFailed', 'UnknownImportFile']);
  c.expect(['ImportFailed', 'UnknownImportFile'].includes(status), `a text file uploaded ended in ${status}: ${seen}`);
  const counts = await api.call(c, 'GET', '/building/{buildingId}/files/{id}/status', 200, { path: { buildingId: building.id, id: bad.id } });
  c.expect(counts.elementCount === 0 && String(counts.statusMessage).includes('not an IFC file'), `the text file's status: ${JSON.stringify(counts)}`);
}
