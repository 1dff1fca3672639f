"""The reference side of hack/fuzz binaryen: runs a module under wasmtime
(PyPI's wasmtime package) exactly as SpecRunner --emit-diff's driver runs
it under the generated C, and returns the same lines (see
Sources/SpecRunner/DiffDriver.swift) plus the final memory bytes.

A trap ends the run (a new instance runs the exports after it).

wasmtime's Python API cannot pass v128 values, so log-v128 is a small Wasm
module that splits its argument into two i64 halves for a host function,
and an export whose signature has a v128 is called through a Wasm thunk
that passes zero vectors and returns each v128 result as two i64 halves.
"""
import struct

import wasmtime

TRAP_TEXT = {
    wasmtime.TrapCode.UNREACHABLE: "unreachable",
    wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS: "out of bounds memory access",
    wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO: "integer divide by zero",
    wasmtime.TrapCode.INTEGER_OVERFLOW: "integer overflow",
    wasmtime.TrapCode.BAD_CONVERSION_TO_INTEGER: "invalid conversion to integer",
    wasmtime.TrapCode.BAD_SIGNATURE: "indirect call type mismatch",
    wasmtime.TrapCode.INDIRECT_CALL_TO_NULL: "uninitialized element",
    wasmtime.TrapCode.TABLE_OUT_OF_BOUNDS: "out of bounds table access",
    wasmtime.TrapCode.STACK_OVERFLOW: "call stack exhausted",
}

ZERO = {"i32": "(i32.const 0)", "i64": "(i64.const 0)", "f32": "(f32.const 0)",
        "f64": "(f64.const 0)", "v128": "(v128.const i64x2 0 0)"}


def trap_text(trap):
    code = trap.trap_code
    return TRAP_TEXT.get(code, "wasmtime trap %s" % code)


def bits(kind, value):
    if kind == "i32":
        return "i32:%d" % (value & 0xFFFFFFFF)
    if kind == "i64":
        return "i64:%d" % (value & 0xFFFFFFFFFFFFFFFF)
    if kind == "f32":
        return "f32:%d" % struct.unpack("<I", struct.pack("<f", value))[0]
    if kind == "f64":
        return "f64:%d" % struct.unpack("<Q", struct.pack("<d", value))[0]
    raise ValueError(kind)


def thunk_wat(params, results):
    """A module importing m.f with this signature, exporting t() that calls
    it with zeros and returns the results with each v128 as two i64."""
    signature = "".join(" (param %s)" % p for p in params) + "".join(" (result %s)" % r for r in results)
    flat = []
    for r in results:
        flat += ["i64", "i64"] if r == "v128" else [r]
    locals_ = "".join(" (local %s)" % r for r in results)
    body = "".join(ZERO[p] for p in params) + " (call $f)"
    for index in reversed(range(len(results))):
        body += " (local.set %d)" % index
    for index, r in enumerate(results):
        if r == "v128":
            body += " (i64x2.extract_lane 0 (local.get %d)) (i64x2.extract_lane 1 (local.get %d))" % (index, index)
        else:
            body += " (local.get %d)" % index
    return ('(module (import "m" "f" (func $f%s)) (func (export "t")%s%s %s))'
            % (signature, "".join(" (result %s)" % r for r in flat), locals_, body)), results


LOG_V128_WAT = """(module
  (import "host" "halves" (func $h (param i64 i64)))
  (func (export "log-v128") (param v128)
    (call $h (i64x2.extract_lane 0 (local.get 0)) (i64x2.extract_lane 1 (local.get 0)))))"""


def read_signatures(path):
    """exports.txt (SpecRunner --emit-diff): {export index: (params, results)}."""
    signatures = {}
    with open(path) as file:
        for line in file:
            index, params, results = line.split()
            signatures[int(index)] = ([] if params == "-" else params.split(","),
                                      [] if results == "-" else results.split(","))
    return signatures


def run(path, signatures, first=0):
    """(lines, memory bytes or None) for the module at path, calling the
    exports from index `first` on in a fresh instance and stopping at the
    first trap (as the generated code's driver does); signatures from
    read_signatures."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    module = wasmtime.Module.from_file(engine, path)
    lines = []

    def logger(kind):
        return lambda value: lines.append("log " + bits(kind, value))

    imports = []
    for entry in module.imports:
        name = entry.name
        if name == "log-v128":
            halves = wasmtime.Func(store, wasmtime.FuncType([wasmtime.ValType.i64()] * 2, []),
                                   lambda low, high: lines.append("log v128:%d:%d" % (low & (2**64 - 1), high & (2**64 - 1))))
            support = wasmtime.Instance(store, wasmtime.Module(engine, wasmtime.wat2wasm(LOG_V128_WAT)), [halves])
            imports.append(support.exports(store)["log-v128"])
        else:
            kind = name[len("log-"):]
            imports.append(wasmtime.Func(store, entry.type, logger(kind)))
    try:
        instance = wasmtime.Instance(store, module, imports)
    except wasmtime.Trap as trap:
        lines.append("-1 trap " + trap_text(trap))
        return lines, None
    lines.append("-1 ok")
    exports = instance.exports(store)
    memory = None
    for index, export in enumerate(module.exports):
        if isinstance(export.type, wasmtime.MemoryType) and export.name == "memory":
            memory = exports[export.name]
        if index not in signatures or index < first:
            continue
        func = exports[export.name]
        params, results = signatures[index]
        try:
            if "v128" in params or "v128" in results:
                wat, _ = thunk_wat(params, results)
                thunk = wasmtime.Instance(store, wasmtime.Module(engine, wasmtime.wat2wasm(wat)), [func])
                values = thunk.exports(store)["t"](store)
            else:
                values = func(store, *[0 if p in ("i32", "i64") else 0.0 for p in params])
        except wasmtime.Trap as trap:
            lines.append("%d trap %s" % (index, trap_text(trap)))
            return lines, None
        if values is None:
            values = []
        elif not isinstance(values, list):
            values = [values]
        parts = []
        position = 0
        for r in results:
            if r == "v128":
                parts.append("v128:%d:%d" % (values[position] & (2**64 - 1), values[position + 1] & (2**64 - 1)))
                position += 2
            else:
                parts.append(bits(r, values[position]))
                position += 1
        lines.append(("%d ok " % index + " ".join(parts)).rstrip())
    data = None
    if memory is not None:
        size = memory.data_len(store)
        lines.append("memory %d" % (size // 65536))
        data = bytes(memory.read(store, 0, size))
    return lines, data
