/** Small builders for object definitions used across the runtime tests. */
import type { EraName } from '../../src/objects/eras.js';
import type { FieldDef, FieldTypeDesc, ObjectVersionDef } from '../../src/objects/model.js';
import { defineObject } from '../../src/objects/model.js';

export const str: FieldTypeDesc = { kind: 'String' };
export const int: FieldTypeDesc = { kind: 'Integer' };

export function field(type: FieldTypeDesc, extra: Partial<FieldDef> = {}): FieldDef {
  return { type, nullable: false, ...extra };
}

export function obj(name: string, subclasses = false): FieldTypeDesc {
  return { kind: 'Object', objName: name, subclasses };
}

export function listOf(name: string): FieldTypeDesc {
  return { kind: 'ListOfObjects', objName: name, subclasses: false };
}

export function def(
  name: string,
  version: string,
  fields: Record<string, FieldDef>,
  era: EraName,
  extra: Partial<ObjectVersionDef> = {},
): ObjectVersionDef {
  return defineObject({ name, version, fields, era, ...extra });
}

/** A list object definition (`objects` = ListOfObjectsField(child)). */
export function listDef(
  name: string,
  version: string,
  child: string,
  era: EraName,
  extra: Partial<ObjectVersionDef> = {},
): ObjectVersionDef {
  return defineObject({
    name,
    version,
    fields: { objects: field(listOf(child)) },
    era,
    isList: true,
    ...extra,
  });
}

/** The data dict of a primitive. */
export function dataOf(prim: Record<string, unknown>, ns = 'nova_object'): Record<string, unknown> {
  return prim[`${ns}.data`] as Record<string, unknown>;
}

export function versionOf(prim: unknown, ns = 'nova_object'): string {
  return (prim as Record<string, unknown>)[`${ns}.version`] as string;
}
