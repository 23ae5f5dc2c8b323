"""backlevel's runtime bridge to a project's real versioned objects.

Imports the object modules (for Nova: ``from nova import objects; objects.register_all()``), then
answers JSON lines on stdin, one JSON line per request on stdout, in order:

  {"id": 1, "op": "hello"}
  {"id": 2, "op": "objects"}                    -> [{"name", "version", "namespace"}]
  {"id": 3, "op": "backport", "primitive": {...}, "target": "1.2", "manifest": {...} | null}
                                                -> {"primitive": {...}}
  {"id": 4, "op": "hashes"}                     -> {"Name": "version-md5", ...}

Each answer is {"id", "ok": true, "result"} or {"id", "ok": false, "error": {"type", "message",
"deliberate"}}: an exception in one request never ends the process. ``deliberate`` is true for
oslo's ObjectActionError (a refusal the checks count as a pass).

Usage: ovo_bridge.py [--path DIR]... [--module MOD]... [--register-all MOD]...
"""
import argparse
import datetime
import json
import sys
import traceback


def _default(value):
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _out(obj):
    sys.stdout.write(json.dumps(obj, default=_default, sort_keys=True) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--module", action="append", default=[])
    parser.add_argument("--register-all", action="append", default=[])
    args = parser.parse_args()
    for p in reversed(args.path):
        sys.path.insert(0, p)
    import importlib

    loaded = []
    try:
        for mod in args.module:
            importlib.import_module(mod)
            loaded.append(mod)
        for mod in args.register_all:
            importlib.import_module(mod).register_all()
            loaded.append(mod + ".register_all()")
        from oslo_versionedobjects import base as ovo_base
        from oslo_versionedobjects import exception as ovo_exc
        from oslo_versionedobjects import fixture as ovo_fixture
    except Exception as e:  # report the import failure on the first request
        _out({"id": 0, "ok": False, "error": {"type": type(e).__name__, "message": str(e),
                                               "traceback": traceback.format_exc()}})
        return 2

    registry = ovo_base.VersionedObjectRegistry

    def classes():
        return registry.obj_classes()

    def newest(name):
        found = classes().get(name)
        if not found:
            raise ovo_exc.UnsupportedObjectError(objtype=name)
        return found[0]

    def op_hello(req):
        import oslo_versionedobjects
        return {"python": sys.version.split()[0], "modules": loaded,
                "ovo": getattr(oslo_versionedobjects, "__file__", None),
                "objects": len(classes())}

    def op_objects(req):
        out = []
        for name, clss in sorted(classes().items()):
            for cls in clss:
                out.append({"name": name, "version": cls.VERSION,
                            "namespace": cls.OBJ_PROJECT_NAMESPACE,
                            "serial": cls.OBJ_SERIAL_NAMESPACE})
        return out

    def op_backport(req):
        prim = req["primitive"]
        ns = req.get("serial", "nova_object")
        cls = newest(prim[ns + ".name"])
        obj = cls.obj_from_primitive(prim)
        kwargs = {"target_version": req["target"]}
        if req.get("manifest") is not None:
            kwargs["version_manifest"] = req["manifest"]
        result = obj.obj_to_primitive(**kwargs)
        return {"primitive": result}

    def op_hashes(req):
        namespace = req.get("namespace")
        objs = {name: clss for name, clss in classes().items()
                if namespace is None or clss[0].OBJ_PROJECT_NAMESPACE == namespace}
        checker = ovo_fixture.ObjectVersionChecker(objs)
        return checker.get_hashes()

    ops = {"hello": op_hello, "objects": op_objects, "backport": op_backport,
           "hashes": op_hashes}

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id")
            fn = ops.get(req.get("op"))
            if fn is None:
                raise ValueError("unknown op %r" % req.get("op"))
            _out({"id": rid, "ok": True, "result": fn(req)})
        except Exception as e:
            _out({"id": rid, "ok": False, "error": {
                "type": type(e).__name__, "message": str(e),
                "deliberate": isinstance(e, ovo_exc.ObjectActionError),
                "traceback": traceback.format_exc(limit=6)}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
