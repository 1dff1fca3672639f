/// Memory sizes as runc's update flags take them (docker's go-units RAMInBytes): a number,
/// possibly with a fraction, then an optional binary unit (k, m, g, t, p, either case, with an
/// optional "i" and "b"), or "-1" for unlimited. Pure.
enum MemorySize {
    static func bytes(_ text: String) -> Int64? {
        if text == "-1" { return -1 }
        var rest = Substring(text)
        var digits = ""
        while let c = rest.first, c.isASCII, c.isNumber || c == "." {
            digits.append(c)
            rest = rest.dropFirst()
        }
        // Go's pattern: digits, then optional ".digits" groups; no leading or trailing dot.
        guard let first = digits.first, first != ".", digits.last != ".", !digits.contains(".."),
              let number = Double(digits) else { return nil }
        if rest.first == " " { rest = rest.dropFirst() }
        var multiplier: Double = 1
        if let unit = rest.first?.lowercased(), let power = ["k": 1, "m": 2, "g": 3, "t": 4, "p": 5][unit] {
            multiplier = Double(UInt64(1) << (10 * power))
            rest = rest.dropFirst()
            if rest.first == "i" || rest.first == "I" { rest = rest.dropFirst() }
        }
        if rest.first == "b" || rest.first == "B" { rest = rest.dropFirst() }
        guard rest.isEmpty else { return nil }
        let value = (number * multiplier).rounded(.towardZero)
        guard value < 9.2e18 else { return nil }
        return Int64(value)
    }
}
