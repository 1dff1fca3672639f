import CMewzABI
import Testing
@testable import Monitor

struct GuestLayoutTests {
    @Test func areasFollowTheImageInOrder() throws {
        let layout = try GuestLayout(ramSize: 256 << 20, imageEnd: 0x104000, argumentsSize: 10,
                                     environmentSize: 5000, stackSize: 8 << 20)
        #expect(layout.argumentsAddress == 0x104000)
        #expect(layout.environmentAddress == 0x10400a)
        #expect(layout.guardPage == 0x106000)
        #expect(layout.stackBottom == 0x107000)
        #expect(layout.stackTop == 0x107000 + (8 << 20))
        #expect(layout.freeStart == layout.stackTop)
        #expect(layout.freeEnd == 256 << 20)
    }

    @Test func emptyArgumentsStillGetAGuardPage() throws {
        let layout = try GuestLayout(ramSize: 16 << 20, imageEnd: 0x104000, argumentsSize: 0,
                                     environmentSize: 0, stackSize: 0x1000)
        #expect(layout.guardPage == 0x104000)
        #expect(layout.stackBottom == 0x105000)
    }

    /// The stack's top group of eight pages and the two free pages after it; never the guard
    /// page below a small stack, never past RAM.
    @Test func pagesWrittenAtBootAreTheStacksTopGroupAndTheFirstFreePages() throws {
        let layout = try GuestLayout(ramSize: 256 << 20, imageEnd: 0x104000, argumentsSize: 10,
                                     environmentSize: 5000, stackSize: 8 << 20)
        #expect(layout.stackTop == 0x907000)
        #expect(layout.pagesWrittenAtBoot == 0x900000..<0x909000)  // top page 0x906000 is in group 0x900000
        let aligned = try GuestLayout(ramSize: 256 << 20, imageEnd: 0x104000, argumentsSize: 0,
                                      environmentSize: 0, stackSize: 0x3000)  // stack 0x105000..<0x108000
        #expect(aligned.pagesWrittenAtBoot == 0x105000..<0x10a000)  // from the stack's bottom, not the guard
        let small = try GuestLayout(ramSize: 4 << 20, imageEnd: 0x104000, argumentsSize: 0,
                                    environmentSize: 0, stackSize: 0x1000)
        #expect(small.pagesWrittenAtBoot.lowerBound >= small.stackBottom)
        #expect(small.pagesWrittenAtBoot.upperBound <= small.ramSize)
        #expect(small.pagesWrittenAtBoot.contains(small.stackTop - 0x1000))
        #expect(small.pagesWrittenAtBoot.contains(small.stackTop + 0x1000))
    }

    static let tooSmall: [(UInt64, UInt64, UInt64)] = [
        // (argumentsSize, environmentSize, stackSize)
        (0, 0, 16 << 20),
        (16 << 20, 0, 0x1000),
        (0, .max, 0x1000),
        (.max, .max, 0x1000),
        (0, 0, UInt64.max & ~0xfff),
        (0, 0, (16 << 20) - 0x105000 - 0x1000),  // fits, but leaves no free pages
    ]

    @Test(arguments: tooSmall)
    func overflowingOrOversizedAreasAreRamTooSmall(arguments: UInt64, environment: UInt64, stack: UInt64) {
        #expect(throws: MonitorError.ramTooSmall) {
            try GuestLayout(ramSize: 16 << 20, imageEnd: 0x104000, argumentsSize: arguments,
                            environmentSize: environment, stackSize: stack)
        }
    }

    static let badSizes: [(UInt64, UInt64)] = [
        (0, 0x1000), (1 << 20, 0x1000), ((16 << 20) + 1, 0x1000), (MEWZ_LM_BASE + 0x1000, 0x1000), (16 << 20, 0), (16 << 20, 100),
    ]

    @Test(arguments: badSizes)
    func badRAMAndStackSizesAreConfigurationErrors(ramSize: UInt64, stackSize: UInt64) {
        #expect(performing: {
            try GuestLayout(ramSize: ramSize, imageEnd: 0x104000, argumentsSize: 0, environmentSize: 0, stackSize: stackSize)
        }, throws: { ($0 as? MonitorError)?.kind == .badConfiguration })
    }

    @Test func mappingsCoverEverythingButPageZeroImageHolesAndTheGuard() throws {
        let image = try TestELF.threeSegments.parse()
        let layout = try GuestLayout(ramSize: 16 << 20, imageEnd: image.end, argumentsSize: 1,
                                     environmentSize: 0, stackSize: 0x1000)
        let mappings = layout.mappings(image: image)
        func mapped(_ address: UInt64) -> Bool { mappings.contains { $0.start <= address && address < $0.end } }
        #expect(!mapped(0))
        #expect(mapped(0x1000))
        #expect(mapped(0x100000))
        #expect(!mapped(layout.guardPage))
        #expect(mapped(layout.stackBottom))
        #expect(mapped((16 << 20) - 1))
        #expect(!mapped(16 << 20))
    }
}
