import WasmCore

/// Direct calls between defined functions.
enum CallGraph {
    /// Defined functions (function index space) on a cycle of direct calls.
    /// clang turns self-recursion (also after inlining a cycle) into a
    /// loop, so runaway recursion would spin instead of exhausting the
    /// stack and trapping; these functions get `disable_tail_calls`. So do
    /// functions with a call_indirect: any cycle the direct calls do not
    /// show passes through one, and a tail call through a pointer is a
    /// jump just the same.
    static func recursiveFunctions(_ module: Module, importedCount: Int) -> Set<Int> {
        let count = module.code.count
        var callees: [[Int]] = Array(repeating: [], count: count)
        for (caller, body) in module.code.enumerated() {
            for case .call(let callee) in body.instructions {
                let defined = Int(callee) - importedCount
                if defined >= 0 && defined < count && !callees[caller].contains(defined) {
                    callees[caller].append(defined)
                }
            }
        }
        // Tarjan's strongly connected components, iterative (call chains
        // can be far deeper than the Swift stack).
        var index = Array(repeating: -1, count: count)
        var lowLink = Array(repeating: 0, count: count)
        var onStack = Array(repeating: false, count: count)
        var stack: [Int] = []
        var nextIndex = 0
        var recursive: Set<Int> = []
        for root in 0..<count where index[root] < 0 {
            var work: [(node: Int, edge: Int)] = [(root, 0)]
            index[root] = nextIndex
            lowLink[root] = nextIndex
            nextIndex += 1
            stack.append(root)
            onStack[root] = true
            while let (node, edge) = work.last {
                if edge < callees[node].count {
                    work[work.count - 1].edge += 1
                    let next = callees[node][edge]
                    if index[next] < 0 {
                        index[next] = nextIndex
                        lowLink[next] = nextIndex
                        nextIndex += 1
                        stack.append(next)
                        onStack[next] = true
                        work.append((next, 0))
                    } else if onStack[next] {
                        lowLink[node] = min(lowLink[node], index[next])
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last { lowLink[parent.node] = min(lowLink[parent.node], lowLink[node]) }
                guard lowLink[node] == index[node] else { continue }
                var component: [Int] = []
                while let member = stack.popLast() {
                    onStack[member] = false
                    component.append(member)
                    if member == node { break }
                }
                if component.count > 1 || callees[node].contains(node) {
                    for member in component { recursive.insert(member + importedCount) }
                }
            }
        }
        for (defined, body) in module.code.enumerated()
        where body.instructions.contains(where: { if case .callIndirect = $0 { true } else { false } }) {
            recursive.insert(defined + importedCount)
        }
        return recursive
    }
}
