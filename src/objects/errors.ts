/**
 * Exceptions raised by the versioned-object runtime, named after the Python exception the real
 * library (or the Python builtin) raises in the same situation. `pythonName` is what a traceback
 * would show, so reports can quote it.
 */

/** Base of every error the emulated Python code raises. */
export class PythonError extends Error {
  readonly pythonName: string;
  /** Where in an object graph it was raised ('Instance.info_cache.network_info'), when known. */
  objectPath?: string;
  constructor(pythonName: string, message: string) {
    super(message);
    this.name = pythonName;
    this.pythonName = pythonName;
  }
}

export class PyValueError extends PythonError {
  constructor(message: string, pythonName = 'ValueError') {
    super(pythonName, message);
  }
}

export class PyTypeError extends PythonError {
  constructor(message: string, pythonName = 'TypeError') {
    super(pythonName, message);
  }
}

export class PyKeyError extends PythonError {
  readonly key: string;
  constructor(key: string) {
    super('KeyError', `'${key}'`);
    this.key = key;
  }
}

export class PyIndexError extends PythonError {
  constructor(message: string) {
    super('IndexError', message);
  }
}

export class PyAttributeError extends PythonError {
  constructor(message: string) {
    super('AttributeError', message);
  }
}

export class PyOverflowError extends PythonError {
  constructor(message: string) {
    super('OverflowError', message);
  }
}

/** `NotImplementedError`, e.g. `obj_load_attr` in the base class. */
export class PyNotImplementedError extends PythonError {
  constructor(message: string) {
    super('NotImplementedError', message);
  }
}

/** `fields.KeyTypeError(TypeError)`: a Dict key that is not a str. */
export class KeyTypeError extends PyTypeError {
  constructor(keyRepr: string, actualType: string) {
    super(`Key ${keyRepr} must be of type str not ${actualType}`, 'KeyTypeError');
  }
}

/** `fields.ElementTypeError(TypeError)`. */
export class ElementTypeError extends PyTypeError {
  constructor(expected: string, key: string, valueRepr: string, actualType: string) {
    super(`Element ${key}:${valueRepr} must be of type ${expected} not ${actualType}`, 'ElementTypeError');
  }
}

/** Base of `VersionedObjectsException` / `NovaException` subclasses; keeps the format kwargs. */
export class VersionedObjectsException extends PythonError {
  readonly kwargs: Record<string, string>;
  constructor(pythonName: string, message: string, kwargs: Record<string, string>) {
    super(pythonName, message);
    this.kwargs = kwargs;
  }
}

export class ObjectActionError extends VersionedObjectsException {
  constructor(action: string, reason: string) {
    super('ObjectActionError', `Object action ${action} failed because: ${reason}`, { action, reason });
  }
}

export class UnsupportedObjectError extends VersionedObjectsException {
  constructor(objtype: string) {
    super('UnsupportedObjectError', `Unsupported object type ${objtype}`, { objtype });
  }
}

export class IncompatibleObjectVersion extends VersionedObjectsException {
  /**
   * Nova's own exception (2014.1-2015.1.0) said only "is not supported"; oslo.versionedobjects
   * appends ", supported version is X".
   */
  constructor(objname: string, objver: string, supported: string, includeSupported = true) {
    const base = `Version ${objver} of ${objname} is not supported`;
    super(
      'IncompatibleObjectVersion',
      includeSupported ? `${base}, supported version is ${supported}` : base,
      {
        objname,
        objver,
        supported,
      },
    );
  }
}

export class InvalidTargetVersion extends VersionedObjectsException {
  constructor(version: string) {
    super('InvalidTargetVersion', `Invalid target version ${version}`, { version });
  }
}

export class TargetBeforeSubobjectExistedException extends VersionedObjectsException {
  constructor(targetVersion: string) {
    super('TargetBeforeSubobjectExistedException', `No subobject existed at version ${targetVersion}`, {
      target_version: targetVersion,
    });
  }
}

export class ReadOnlyFieldError extends VersionedObjectsException {
  constructor(field: string) {
    super('ReadOnlyFieldError', `Cannot modify readonly field ${field}`, { field });
  }
}

export class UnregisteredSubobject extends VersionedObjectsException {
  constructor(childObjname: string, parentObjname: string) {
    super(
      'UnregisteredSubobject',
      `${childObjname} is referenced by ${parentObjname} but is not registered`,
      {
        child_objname: childObjname,
        parent_objname: parentObjname,
      },
    );
  }
}

/**
 * Not a Python exception: the definition itself cannot be executed (an unrecognised default, a
 * missing hydration hook). Reports show it as a model problem, not as runtime behaviour.
 */
export class ObjectModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObjectModelError';
  }
}
