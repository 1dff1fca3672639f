import Testing
@testable import Monitor

struct GuestProfileTests {
    @Test func fileListsAddressesMostSampledFirst() {
        let text = GuestProfile.render(samples: [0x100020: 3, 0x100010: 7, 0x100000: 3], hostTicks: 11)
        #expect(text == """
            # mewz-guest-profile interval-ns \(GuestProfile.intervalNanoseconds) samples 13 host-ticks 11
            100010 7
            100000 3
            100020 3

            """)
    }

    @Test func emptyProfileIsItsHeader() {
        #expect(GuestProfile.render(samples: [:], hostTicks: 0)
                == "# mewz-guest-profile interval-ns \(GuestProfile.intervalNanoseconds) samples 0 host-ticks 0\n")
    }
}
