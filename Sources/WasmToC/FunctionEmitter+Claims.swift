import WasmCore

/// Where a memory access lands, as far as the lowering can tell: at a
/// constant address, or at `text + offset` for an address expression.
struct AccessKey {
    var constant: UInt64?
    var text: String
    var reads: [Variable]
    var offset: UInt64
    var width: Int
    /// The line of the access: writes to `reads` after it change `text`'s value.
    var line: Int

    var start: UInt64 { (constant ?? 0) + offset }
}

/// A store's or a back edge's claim to anchor loads, which clang can void:
/// it deletes a store overwritten before anything reads memory (dead-store
/// elimination) or one that writes back what was loaded from the same place,
/// and it merges `if (c) goto L; goto L;` into `goto L`. Each was a missed
/// trap found by hack/fuzz binaryen. A claim is revoked when the lowering
/// sees such a shape, or cannot rule one out; its loads then get a keep.
struct PendingStore {
    var claim: Int
    var key: AccessKey
    /// The innermost loop's label line when the store was emitted.
    var loopLine: Int
}

extension FunctionEmitter {
    /// A revocable anchor for `values`' loads; returns its number.
    mutating func claim(_ values: StackValue...) -> Int {
        claims.append(values.reduce(into: Set<Int>()) { $0.formUnion(carriedLoads($1)) })
        return claims.count - 1
    }

    /// The loads whose values `value` certainly needs (as `anchor` counts them).
    func carriedLoads(_ value: StackValue) -> Set<Int> {
        guard !value.foldRisk else { return [] }
        var carried: Set<Int> = []
        for read in value.reads {
            guard let definition = definitions[read] else { continue }
            if definition.region == region || definition.accumulates { carried.formUnion(definition.loads) }
        }
        return carried
    }

    func accessKey(_ address: StackValue, offset: UInt32, width: Int) -> AccessKey {
        AccessKey(constant: address.isConstant ? address.bits.map { $0 & 0xFFFF_FFFF } : nil,
                  text: address.expression, reads: address.reads, offset: UInt64(offset), width: width,
                  line: lines.count)
    }

    /// No variable `key`'s address reads was written since the access.
    private func unchangedSince(_ key: AccessKey) -> Bool {
        key.reads.allSatisfy { (writeLines[$0] ?? -1) < key.line }
    }

    /// Both addresses are constants, or the same expression over the same
    /// values: where the two accesses fall relative to each other is known.
    private func sameBase(_ earlier: AccessKey, _ later: AccessKey) -> Bool {
        if earlier.constant != nil && later.constant != nil { return true }
        return earlier.constant == nil && later.constant == nil && earlier.text == later.text && unchangedSince(earlier)
    }

    private static func overlap(_ a: AccessKey, _ b: AccessKey) -> Bool {
        a.start < b.start + UInt64(b.width) && b.start < a.start + UInt64(a.width)
    }

    /// The two accesses certainly touch a common byte.
    private func certainlyOverlap(_ earlier: AccessKey, _ later: AccessKey) -> Bool {
        sameBase(earlier, later) && Self.overlap(earlier, later)
    }

    /// The two accesses certainly touch no common byte.
    private func certainlyDisjoint(_ earlier: AccessKey, _ later: AccessKey) -> Bool {
        sameBase(earlier, later) && !Self.overlap(earlier, later)
    }

    /// A store of `value` at `key`: its claim on the address's and the value's
    /// loads, void if it may store back a value just as it was loaded from
    /// the same place; and any earlier store it may overwrite loses its claim.
    mutating func claimStore(address: StackValue, value: StackValue, key: AccessKey) {
        let number = claim(address, value)
        if value.isSimple, value.reads.count == 1, let load = definitions[value.reads[0]]?.copyOf,
           case let loaded = loadKeys[load], !certainlyDisjoint(loaded, key),
           // Two address expressions that read differently are taken as different.
           !(loaded.constant == nil && key.constant == nil && loaded.text != key.text) {
            revokedClaims.insert(number)
        }
        for pending in pendingStores where !certainlyDisjoint(pending.key, key) {
            revokedClaims.insert(pending.claim)
        }
        pendingStores.append(PendingStore(claim: number, key: key, loopLine: innermostLoopLine))
    }

    /// A load at `key`: stores it certainly reads can no longer be overwritten unread.
    mutating func noteMemoryRead(_ key: AccessKey) {
        let read = pendingStores.filter { certainlyOverlap($0.key, key) }.map(\.claim)
        pendingStores.removeAll { read.contains($0.claim) }
    }

    /// A call clang cannot see into (an import, call_indirect, memory.grow):
    /// it may read anything.
    mutating func noteOpaqueCall() {
        pendingStores.removeAll()
    }

    /// Every pending store loses its claim. At a call to a defined function
    /// or a return: once clang inlines one function into another, a store on
    /// one side may be overwritten unread by one on the other. At
    /// memory.fill, memory.copy and memory.init: they may overwrite any store
    /// still pending.
    mutating func revokePendingStores() {
        for pending in pendingStores { revokedClaims.insert(pending.claim) }
        pendingStores.removeAll()
    }

    /// Leaving the loop whose label line is `loopLine`: a store in it whose
    /// address the loop changes lands elsewhere in each iteration, so no
    /// single later store overwrites it.
    mutating func noteLoopEnd(_ loopLine: Int) {
        let writes = writeLines
        pendingStores.removeAll { pending in
            pending.loopLine >= loopLine && pending.key.constant == nil
                && pending.key.reads.contains { (writes[$0] ?? -1) >= loopLine }
        }
    }

    var innermostLoopLine: Int {
        frames.last { $0.kind == .loop }?.labelLine ?? -1
    }

    mutating func noteWrite(_ variable: Variable) {
        writeLines[variable] = lines.count
    }

    // MARK: Back edges

    /// A conditional back edge to the loops labelled `labels`: its claim
    /// holds unless the next branch makes the condition moot (clang merges
    /// `if (c) goto L;` with an unconditional jump that follows, or with
    /// `if (d) goto L;` once it knows d).
    mutating func claimBackEdge(_ condition: StackValue, to labels: Set<Int>) {
        watchedBackEdge = (claim(condition), labels)
    }

    /// Called before each reachable instruction while a back edge is watched.
    mutating func watchBackEdge(before instruction: Instruction) {
        guard let (claim, labels) = watchedBackEdge else { return }
        switch instruction {
        case .end, .block: return  // falls through to what follows, or into it
        case .br, .brTable, .else: revokedClaims.insert(claim)
        case .brIf where stack.last.map({ $0.isConstant && ($0.bits ?? 0) != 0 }) ?? false:
            revokedClaims.insert(claim)  // `br_if L (i32.const -22)` is `br L`
        case .brIf(let depth) where (try? frameIndex(depth)).map({ labels.contains(frames[$0].label) }) ?? false:
            // To the same loop: its condition may be a parameter, known to
            // clang once the function is inlined (hack/fuzz binaryen).
            revokedClaims.insert(claim)
        case .loop, .if, .brIf, .return, .unreachable, .callIndirect: break
        default: return  // straight-line code, and calls clang may inline away: keep watching
        }
        watchedBackEdge = nil
    }

    /// The loads anchored for good: plain anchors and unrevoked claims.
    var allAnchoredLoads: Set<Int> {
        var all = anchoredLoads
        for (number, loads) in claims.enumerated() where !revokedClaims.contains(number) { all.formUnion(loads) }
        return all
    }
}
