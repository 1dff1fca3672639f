import Glibc
import Testing
@testable import Monitor

struct BootTraceTests {
    @Test func disabledTraceRecordsNothing() {
        var trace = BootTrace(enabled: false)
        trace.mark("vm-create")
        #expect(trace.marks.isEmpty && trace.report == "")
    }

    @Test func enabledTraceReportsEachPhaseInMilliseconds() {
        var trace = BootTrace(enabled: true)
        trace.mark("a")
        usleep(2000)
        trace.mark("b")
        #expect(trace.marks.map(\.phase) == ["a", "b"])
        #expect(trace.marks[1].nanoseconds >= 2_000_000)
        let lines = trace.report.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("mewz-boot: a 0.") && lines[0].hasSuffix(" ms"))
        // "mewz-boot: b 2.013 ms": whole milliseconds, a point, three digits.
        let fields = lines[1].split(separator: " ")
        #expect(fields.count == 4 && fields[0] == "mewz-boot:" && fields[1] == "b" && fields[3] == "ms")
        let number = fields.count == 4 ? fields[2].split(separator: ".", omittingEmptySubsequences: false) : []
        #expect(number.count == 2 && (Int(number[0]) ?? 0) >= 2 && number[1].count == 3 && Int(number[1]) != nil)
    }
}
