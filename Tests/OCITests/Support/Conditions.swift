import Glibc
import Testing

extension Trait where Self == ConditionTrait {
    /// Tests that run the built binary. Under hack/test (MEWZ_RUNTIME_BIN set) they always
    /// run, so a missing binary fails them instead of skipping them.
    static var needsBinary: Self {
        .enabled(if: RuntimeHarness.required || RuntimeHarness.binaryExists,
                 "needs the built binary (hack/build)")
    }

    /// Tests that boot a VM (and build the probe's image): the built binary and /dev/kvm.
    /// Under hack/test they always run, so a missing binary or KVM fails them.
    static var needsKVM: Self {
        .enabled(if: RuntimeHarness.required || (RuntimeHarness.kvmUsable && RuntimeHarness.binaryExists),
                 "needs /dev/kvm and the built binary (hack/build)")
    }

    /// Tests that hide /dev/kvm in a private mount namespace.
    static var needsRoot: Self {
        .enabled(if: getuid() == 0, "needs root for a private mount namespace")
    }
}
