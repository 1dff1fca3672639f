import Glibc
import Testing
@testable import OCI

/// Serialized: `RuntimeThreads.unjoined` is the process's count, and only this suite starts
/// BackgroundWork threads in the test process.
@Suite(.serialized) struct BackgroundWorkTests {
    @Test func returnsTheValueMadeOnAnotherThread() throws {
        let caller = pthread_self()
        let work = BackgroundWork { () throws(OCIError) -> Bool in pthread_equal(pthread_self(), caller) != 0 }
        #expect(RuntimeThreads.unjoined == 1)
        #expect(try work.wait() == false)
        #expect(RuntimeThreads.unjoined == 0)
        #expect(try work.wait() == false)  // again: the same outcome, no second join
        #expect(RuntimeThreads.unjoined == 0)
    }

    @Test func throwsTheWorksError() {
        let work = BackgroundWork { () throws(OCIError) -> Int in throw .usage("no") }
        #expect(throws: OCIError.usage("no")) { try work.wait() }
        #expect(RuntimeThreads.unjoined == 0)
    }

    @Test func aDroppedWorkIsJoined() {
        do {
            let work = BackgroundWork { () throws(OCIError) in usleep(20_000) }
            withExtendedLifetime(work) { #expect(RuntimeThreads.unjoined == 1) }
        }
        #expect(RuntimeThreads.unjoined == 0)
    }
}
