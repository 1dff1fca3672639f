/// Builds Wasm binaries byte by byte for the tests, so each test shows the
/// exact encoding it feeds the decoder.
enum WasmBinary {
    static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

    static func module(_ sections: [UInt8]...) -> [UInt8] {
        header + sections.flatMap { $0 }
    }

    /// A section: its id, the size of `contents`, then `contents`.
    static func section(_ id: UInt8, _ contents: [UInt8]) -> [UInt8] {
        [id] + unsigned(UInt32(contents.count)) + contents
    }

    /// A vector: the element count, then the elements.
    static func vector(_ elements: [[UInt8]]) -> [UInt8] {
        unsigned(UInt32(elements.count)) + elements.flatMap { $0 }
    }

    static func unsigned(_ value: UInt32) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }

    static func signed(_ value: Int64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while true {
            let byte = UInt8(value & 0x7F)
            value >>= 7
            let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0)
            bytes.append(done ? byte : byte | 0x80)
            if done { return bytes }
        }
    }

    static func name(_ text: String) -> [UInt8] {
        unsigned(UInt32(text.utf8.count)) + Array(text.utf8)
    }

    /// A function type: 0x60, parameter types, result types.
    static func functionType(_ parameters: [UInt8], _ results: [UInt8]) -> [UInt8] {
        [0x60] + unsigned(UInt32(parameters.count)) + parameters + unsigned(UInt32(results.count)) + results
    }

    /// A code section entry: size, local groups, then `code` (which must end with 0x0B).
    static func body(locals: [(count: UInt32, type: UInt8)] = [], _ code: [UInt8]) -> [UInt8] {
        let content = vector(locals.map { unsigned($0.count) + [$0.type] }) + code
        return unsigned(UInt32(content.count)) + content
    }

    /// A module with one function of type `parameters -> results`, and
    /// optional extra sections placed in section order around it.
    static func function(
        parameters: [UInt8] = [], results: [UInt8] = [], locals: [(count: UInt32, type: UInt8)] = [],
        code: [UInt8], before: [[UInt8]] = [], between: [[UInt8]] = [], after: [[UInt8]] = []
    ) -> [UInt8] {
        var bytes = header
        bytes += section(1, vector([functionType(parameters, results)]))
        before.forEach { bytes += $0 }
        bytes += section(3, vector([[0x00]]))
        between.forEach { bytes += $0 }
        bytes += section(10, vector([body(locals: locals, code)]))
        after.forEach { bytes += $0 }
        return bytes
    }
}

/// Value type bytes, for readability.
enum TypeByte {
    static let i32: UInt8 = 0x7F
    static let i64: UInt8 = 0x7E
    static let f32: UInt8 = 0x7D
    static let f64: UInt8 = 0x7C
    static let v128: UInt8 = 0x7B
    static let funcref: UInt8 = 0x70
    static let externref: UInt8 = 0x6F
}
