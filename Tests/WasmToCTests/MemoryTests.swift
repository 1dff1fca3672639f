import Testing
import WasmCore
import WasmToC

/// Linear memory: guard-page traps, growth, bulk operations' bounds, data
/// segments.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct MemoryTests {
    static func memoryModule() -> Module {
        var builder = ModuleBuilder()
        builder.memory(1, 3)
        builder.data(at: 16, "hello")
        let passive = builder.passiveData([1, 2, 3, 4])
        func arg(_ memarg: UInt32 = 0) -> MemoryArgument { MemoryArgument(align: 0, offset: memarg) }
        builder.function([.i32], [.i32], export: "load32", [.get(0), .load(.i32Load, arg())])
        builder.function([.i32], [.i32], export: "load8s", [.get(0), .load(.i32Load8S, arg())])
        builder.function([.i32], [.i32], export: "load16u", [.get(0), .load(.i32Load16U, arg(1))])
        builder.function([.i32], [.i64], export: "load64", [.get(0), .load(.i64Load, arg(1))])
        builder.function([.i32], [.i64], export: "load32s", [.get(0), .load(.i64Load32S, arg())])
        builder.function([.i32], [.f64], export: "loadF64", [.get(0), .load(.f64Load, arg())])
        builder.function([.i32, .i64], [], export: "store32", [.get(0), .get(1), .store(.i64Store32, arg(2))])
        builder.function([.i32, .i32], [], export: "store8", [.get(0), .get(1), .store(.i32Store8, arg())])
        builder.function([.i32], [.i32], export: "highOffset", [.get(0), .load(.i32Load, arg(0xFFFF_FFF0))])
        builder.function([.i32], [], export: "dropLoad", [.get(0), .load(.i32Load, arg()), .drop])
        builder.function([], [.i32], export: "size", [.memorySize])
        builder.function([.i32], [.i32], export: "grow", [.get(0), .memoryGrow])
        builder.function([.i32, .i32, .i32], [], export: "fill", [.get(0), .get(1), .get(2), .memoryFill])
        builder.function([.i32, .i32, .i32], [], export: "copy", [.get(0), .get(1), .get(2), .memoryCopy])
        builder.function([.i32, .i32, .i32], [], export: "init",
                         [.get(0), .get(1), .get(2), .memoryInit(passive)])
        builder.function([], [], export: "dropData", [.dataDrop(passive)])
        builder.function([], [], export: "dropThenInit",
                         [.dataDrop(passive), .i32(0), .i32(0), .i32(1), .memoryInit(passive)])
        return builder.module
    }

    @Test func loadsStoresAndTraps() throws {
        let oob = "out of bounds memory access"
        try ExportRunner.check(Self.memoryModule(), [
            Call("load32", [.i32(16)], .i32(0x6C6C_6568)),  // "hell", little endian
            Call("load8s", [.i32(17)], .i32(0x65)),
            Call("load16u", [.i32(16)], .i32(0x6C65)),  // "el": offset 1
            Call("load64", [.i32(15)], .i64(0x6F_6C6C_6568)),
            Call("load32", [.i32(65532)], .i32(0)),
            Call("load32", [.i32(65533)], trap: oob),
            Call("load8s", [.i32(65536)], trap: oob),
            Call("load32", [.i32(0xFFFF_FFFF)], trap: oob),
            Call("highOffset", [.i32(0xFFFF_FFFF)], trap: oob),
            Call("highOffset", [.i32(0x20)], trap: oob),
            Call("dropLoad", [.i32(65536)], trap: oob),
            Call("dropLoad", [.i32(0)]),
            Call("store32", [.i32(65530), .i64(1)]),
            Call("store32", [.i32(65531), .i64(1)], trap: oob),
            Call("store8", [.i32(65536), .i32(1)], trap: oob),
            Call("size", [], .i32(1)),
        ])
    }

    /// Stores then reads back in one run (state persists between calls of
    /// one process).
    @Test func storeThenLoad() throws {
        try ExportRunner.check(Self.memoryModule(), [
            Call("store32", [.i32(100), .i64(0x1_8765_4321)]),
            Call("load32", [.i32(102)], .i32(0x8765_4321)),
            Call("load32s", [.i32(102)], .i64(0xFFFF_FFFF_8765_4321)),
            Call("store8", [.i32(200), .i32(0x1FF)]),
            Call("load8s", [.i32(200)], .s32(-1)),
            Call("store32", [.i32(300), .i64(0x3FF0_0000)]),
            Call("store32", [.i32(296), .i64(0)]),
            Call("loadF64", [.i32(298)], .double(1)),
        ])
    }

    @Test func growth() throws {
        try ExportRunner.check(Self.memoryModule(), [
            Call("grow", [.i32(1)], .i32(1)),
            Call("size", [], .i32(2)),
            Call("load32", [.i32(131_068)], .i32(0)),
            Call("store8", [.i32(131_071), .i32(7)]),
            Call("load8s", [.i32(131_071)], .i32(7)),
            Call("grow", [.i32(2)], .s32(-1)),
            Call("grow", [.i32(0)], .i32(2)),
            Call("grow", [.i32(1)], .i32(2)),
            Call("grow", [.i32(1)], .s32(-1)),
            Call("size", [], .i32(3)),
            Call("load32", [.i32(196_608)], trap: "out of bounds memory access"),
        ])
    }

    @Test func bulkOperations() throws {
        let oob = "out of bounds memory access"
        try ExportRunner.check(Self.memoryModule(), [
            Call("fill", [.i32(1000), .i32(0x1AB), .i32(4)]),
            Call("load32", [.i32(1000)], .i32(0xABAB_ABAB)),
            Call("fill", [.i32(65536), .i32(1), .i32(0)]),
            Call("fill", [.i32(65537), .i32(1), .i32(0)], trap: oob),
            Call("fill", [.i32(65530), .i32(1), .i32(7)], trap: oob),
            Call("copy", [.i32(1001), .i32(1000), .i32(4)]),  // overlapping
            Call("load32", [.i32(1001)], .i32(0xABAB_ABAB)),
            Call("load8s", [.i32(1005)], .i32(0)),
            Call("copy", [.i32(0), .i32(65535), .i32(2)], trap: oob),
            Call("copy", [.i32(65535), .i32(0), .i32(2)], trap: oob),
            Call("copy", [.i32(65536), .i32(0), .i32(0)]),
            Call("init", [.i32(2000), .i32(1), .i32(3)]),
            Call("load32", [.i32(2000)], .i32(0x0004_0302)),
            Call("init", [.i32(2000), .i32(2), .i32(3)], trap: oob),
            Call("init", [.i32(65535), .i32(0), .i32(2)], trap: oob),
            Call("init", [.i32(0), .i32(4), .i32(0)]),
            Call("dropData", []),
            Call("init", [.i32(0), .i32(0), .i32(0)]),
            Call("dropThenInit", [], trap: oob),
        ])
    }

    /// Active segments are dropped after instantiation: memory.init of one
    /// with n > 0 traps.
    @Test func activeSegmentIsDropped() throws {
        var builder = ModuleBuilder()
        builder.memory(1)
        builder.data(at: 0, [9, 9])
        builder.function([], [], export: "initActive", [.i32(0), .i32(0), .i32(1), .memoryInit(0)])
        builder.function([], [.i32], export: "first", [.i32(0), .load(.i32Load8U, MemoryArgument(align: 0, offset: 0))])
        try ExportRunner.check(builder.module, [
            Call("first", [], .i32(9)),
            Call("initActive", [], trap: "out of bounds memory access"),
        ])
    }

    /// Every byte value survives the string-literal encoding.
    @Test func dataSegmentBytes() throws {
        var builder = ModuleBuilder()
        builder.memory(1)
        let bytes = (0..<768).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) }
        builder.data(at: 3, bytes)
        // sum of byte[i] * (i + 1) over the segment
        builder.function([], [.i32], locals: [.i32, .i32], export: "checksum", [
            .block(.empty), .loop(.empty),
            .get(0), .i32(768), .op(.i32GeU), .brIf(1),
            .get(1),
            .get(0), .load(.i32Load8U, MemoryArgument(align: 0, offset: 3)),
            .get(0), .i32(1), .op(.i32Add), .op(.i32Mul), .op(.i32Add), .set(1),
            .get(0), .i32(1), .op(.i32Add), .set(0),
            .br(0), .end, .end,
            .get(1),
        ])
        let expected = bytes.enumerated().reduce(UInt32(0)) { $0 &+ UInt32($1.element) &* UInt32($1.offset + 1) }
        try ExportRunner.check(builder.module, [Call("checksum", [], .i32(expected))])
    }

    /// A data segment past the memory traps at instantiation; the earlier
    /// segments stay written (nothing observable here but the trap).
    @Test func dataSegmentOutOfBounds() throws {
        var builder = ModuleBuilder()
        builder.memory(1)
        builder.data(at: 0, "ok")
        builder.data(at: 65535, "xy")
        builder.function([], [], export: "nothing", [])
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions(exportPrefix: "wasm_"))
        let result = try HostHarness.Executable(lowered).run()
        #expect(result.status == 134)
        #expect(result.stderr == "wasm trap: out of bounds memory access\n")
    }
}
