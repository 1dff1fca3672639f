import Testing
import WasmCore
import WasmToC

/// SIMD loads and stores: every access shape at addresses up to the last
/// byte of memory with a static offset, against a model of the memory;
/// one byte further (or an address plus offset past 4 GiB) traps, even
/// when the loaded value is dropped.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct SIMDMemoryTests {
    static let pageBytes = 65536
    /// Data at both ends of the one page, zeros between.
    static let head: [UInt8] = (0..<512).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
    static let tail: [UInt8] = (0..<512).map { UInt8(truncatingIfNeeded: $0 * 101 + 250) }
    static let memory = VectorHarness.Memory(pages: 1, segments: [(0, head), (UInt32(pageBytes - 512), tail)])

    static func byte(_ address: Int) -> UInt8 {
        if address < 512 { return head[address] }
        if address >= pageBytes - 512 { return tail[address - (pageBytes - 512)] }
        return 0
    }

    /// The little-endian value of `count` bytes at `address`.
    static func load(_ address: Int, _ count: Int) -> UInt64 {
        (0..<count).reduce(0) { $0 | UInt64(byte(address + $1)) << (8 * UInt64($1)) }
    }

    static let offset: UInt32 = 3
    static let loads = SIMDOperator.allCases.filter { $0.immediates == .memoryArgument && $0.signature.result == .v128 }
    static let laneLoads = SIMDOperator.allCases.filter { $0.immediates == .memoryArgumentAndLane && $0.signature.result == .v128 }
    static let stores = SIMDOperator.allCases.filter { $0.signature.result == nil }

    /// The reference of a load at `address` + offset.
    static func expected(_ op: SIMDOperator, at address: Int, into vector: V128, lane: Int) -> VectorExpectation {
        let width = op.accessWidth ?? 16
        func extend(_ from: Int, signed isSigned: Bool) -> VectorExpectation {
            let lanes = (0..<(64 / from)).map { load(address + $0 * from / 8, from / 8) }
            return VectorExpectation(V128(lanes: lanes.map { isSigned ? UInt64(bitPattern: signed($0, from)) : $0 },
                                          width: from * 2))
        }
        switch op {
        case .v128Load: return VectorExpectation(V128(low: load(address, 8), high: load(address + 8, 8)))
        case .v128Load8x8S: return extend(8, signed: true)
        case .v128Load8x8U: return extend(8, signed: false)
        case .v128Load16x4S: return extend(16, signed: true)
        case .v128Load16x4U: return extend(16, signed: false)
        case .v128Load32x2S: return extend(32, signed: true)
        case .v128Load32x2U: return extend(32, signed: false)
        case .v128Load8Splat, .v128Load16Splat, .v128Load32Splat, .v128Load64Splat:
            return VectorExpectation(SIMDInputs.splat(load(address, width), width * 8))
        case .v128Load32Zero, .v128Load64Zero:
            return VectorExpectation(V128(lanes: [load(address, width)], width: width * 8))
        default:  // load*_lane
            var lanes = vector.lanes(width * 8)
            lanes[lane] = load(address, width)
            return VectorExpectation(V128(lanes: lanes, width: width * 8))
        }
    }

    static func lastAddress(_ op: SIMDOperator) -> Int { pageBytes - (op.accessWidth ?? 16) - Int(offset) }

    static func addresses(_ op: SIMDOperator) -> [VectorArgument] {
        [0, 1, 5, 250, 509, pageBytes - 600, pageBytes - 520, lastAddress(op) - 7, lastAddress(op)]
            .map { .scalar(UInt64($0)) }
    }

    static let vector = V128(low: 0xA1A2_A3A4_A5A6_A7A8, high: 0xB1B2_B3B4_B5B6_B7B8)

    static func loadChecks() -> [VectorCheck] {
        var checks: [VectorCheck] = []
        for op in loads {
            let memarg = MemoryArgument(align: 0, offset: offset)
            checks.append(VectorCheck(.memory(op, memarg), parameters: [.i32], result: .v128,
                                      arguments: [addresses(op)]) { arguments in
                guard case .scalar(let address) = arguments[0] else { return nil }
                return .vector(expected(op, at: Int(address) + Int(offset), into: vector, lane: 0))
            })
        }
        for op in laneLoads {
            for lane in 0..<(op.laneCount ?? 0) {
                let instruction = VectorInstruction.memoryLane(op, MemoryArgument(align: 0, offset: offset), lane: UInt8(lane))
                checks.append(VectorCheck(instruction, name: "\(op.name) \(lane)", parameters: [.i32, .v128],
                                          result: .v128, arguments: [addresses(op), [.vector(vector)]]) { arguments in
                    guard case .scalar(let address) = arguments[0] else { return nil }
                    return .vector(expected(op, at: Int(address) + Int(offset), into: vector, lane: lane))
                })
            }
        }
        return checks
    }

    @Test(arguments: VectorHarness.targets)
    func loadsReadTheModelsBytes(flags: [String]) throws {
        try VectorHarness.run(Self.loadChecks(), flags: flags, memory: Self.memory)
    }

    /// A store, then the 16 bytes at its address read back (and the old
    /// contents put back, so every call sees the initial memory).
    static func storeCheck(_ op: SIMDOperator, lane: Int?) -> VectorCheck {
        let memarg = MemoryArgument(align: 0, offset: op == .v128Store ? 0 : 5)
        let store: VectorInstruction = lane.map { .memoryLane(op, memarg, lane: UInt8($0)) } ?? .memory(op, memarg)
        let window = MemoryArgument(align: 0, offset: 0)
        let body: [Instruction] = [
            .localGet(0), .vector(.memory(.v128Load, window)), .localSet(2),
            .localGet(0), .localGet(1), .vector(store),
            .localGet(0), .vector(.memory(.v128Load, window)), .localSet(3),
            .localGet(0), .localGet(2), .vector(.memory(.v128Store, window)),
            .localGet(3),
        ]
        let values = [vector, V128(low: 0x0102_0304_0506_0708, high: 0x1112_1314_1516_1718)].map(VectorArgument.vector)
        let addresses = [0, 9, 300, pageBytes - 16].map { VectorArgument.scalar(UInt64($0)) }
        return VectorCheck(name: lane.map { "\(op.name) \($0)" } ?? op.name, parameters: [.i32, .v128], result: .v128,
                           locals: [.v128, .v128], body: body, arguments: [addresses, values]) { arguments in
            guard case .scalar(let address) = arguments[0], case .vector(let value) = arguments[1] else { return nil }
            var bytes = (0..<16).map { byte(Int(address) + $0) }
            let width = op.accessWidth ?? 16
            let stored = lane.map { Array(value.bytes[($0 * width)..<(($0 + 1) * width)]) } ?? value.bytes
            for (index, byte) in stored.enumerated() { bytes[Int(memarg.offset) + index] = byte }
            return V128(bytes: bytes).map { .vector(VectorExpectation($0)) }
        }
    }

    @Test(arguments: VectorHarness.targets)
    func storesWriteOnlyTheirBytes(flags: [String]) throws {
        var checks = [Self.storeCheck(.v128Store, lane: nil)]
        for op in Self.stores where op != .v128Store {
            for lane in 0..<(op.laneCount ?? 0) { checks.append(Self.storeCheck(op, lane: lane)) }
        }
        try VectorHarness.run(checks, flags: flags, memory: Self.memory)
    }

    /// One byte past the end, and address + offset beyond 4 GiB, for every
    /// load (value used, and dropped) and store.
    @Test func accessesPastTheEndTrap() throws {
        let big = MemoryArgument(align: 0, offset: 0xFFFF_FFF0)
        var checks: [VectorCheck] = []
        for op in Self.loads + Self.laneLoads {
            let memarg = MemoryArgument(align: 0, offset: Self.offset)
            let access: (MemoryArgument) -> VectorInstruction = { argument in
                op.laneCount == nil ? .memory(op, argument) : .memoryLane(op, argument, lane: 0)
            }
            let operands: [Instruction] = op.laneCount == nil ? [.localGet(0)] : [.localGet(0), .vector(.constant(Self.vector))]
            let pastEnd = VectorArgument.scalar(UInt64(Self.lastAddress(op) + 1))
            checks.append(VectorCheck(name: "\(op.name) past the end", parameters: [.i32], result: .v128,
                                      body: operands + [.vector(access(memarg))], arguments: [[pastEnd, .scalar(0xFFFF_FFFF)]]) { _ in nil })
            checks.append(VectorCheck(name: "\(op.name) dropped", parameters: [.i32], result: .v128,
                                      body: operands + [.vector(access(memarg)), .drop, .vector(.constant(Self.vector))],
                                      arguments: [[pastEnd]]) { _ in nil })
            checks.append(VectorCheck(name: "\(op.name) offset past 4 GiB", parameters: [.i32], result: .v128,
                                      body: operands + [.vector(access(big))], arguments: [[.scalar(0x20)]]) { _ in nil })
        }
        for op in Self.stores {
            let width = op.accessWidth ?? 16
            let store: VectorInstruction = op == .v128Store
                ? .memory(op, MemoryArgument(align: 0, offset: 0)) : .memoryLane(op, MemoryArgument(align: 0, offset: 0), lane: 0)
            checks.append(VectorCheck(name: "\(op.name) past the end", parameters: [.i32], result: .v128,
                                      body: [.localGet(0), .vector(.constant(Self.vector)), .vector(store), .vector(.constant(Self.vector))],
                                      arguments: [[.scalar(UInt64(Self.pageBytes - width + 1)), .scalar(0xFFFF_FFFF)]]) { _ in nil })
        }
        try VectorHarness.runTraps(checks, text: "out of bounds memory access", flags: ["-march=x86-64-v2"], memory: Self.memory)
    }
}
