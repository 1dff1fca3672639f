/// Go's time.ParseDuration, to whole milliseconds: "5s", "250ms", "1m30s", "1.5s", "2h".
/// Pure; nil for text Go would reject (or a negative duration).
enum GoDuration {
    static let units: [(String, Double)] = [
        ("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
    ]

    static func milliseconds(_ text: String) -> Int? {
        if text == "0" { return 0 }
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.filter({ $0.0 == String(unitText) }).first else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total < Double(Int.max / 2) else { return nil }
        return Int(total.rounded(.up))
    }
}
