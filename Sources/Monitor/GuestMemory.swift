import Glibc

/// Guest-physical memory as the monitor sees it: non-overlapping regions (the KVM slots), each
/// backed by host memory. Every guest address the monitor touches goes through `slice`, so a
/// hostile (address, length) can never reach outside the regions. A class: linear memory's
/// region grows while the VM runs (LinearMemory), and the hypercalls must see the new size.
final class GuestMemory {
    struct Region {
        let guestAddress: UInt64
        let bytes: UnsafeMutableRawBufferPointer
    }

    /// Read on every hypercall; written only while no handler runs (the ring's lock), so the
    /// dynamic exclusivity check each read would pay is left out.
    @exclusivity(unchecked) private(set) var regions: [Region]

    init(regions: [Region]) { self.regions = regions }

    /// Replaces the region starting at `region.guestAddress`, or adds it. The caller keeps
    /// regions from overlapping.
    func setRegion(_ region: Region) {
        if let index = regions.firstIndex(where: { $0.guestAddress == region.guestAddress }) {
            regions[index] = region
        } else {
            regions.append(region)
        }
    }

    /// The host bytes behind [address, address + length), or nil unless that range lies
    /// entirely inside one region. Overflow-safe for any 64-bit inputs.
    func slice(_ address: UInt64, _ length: UInt64) -> UnsafeMutableRawBufferPointer? {
        for region in regions where address >= region.guestAddress {
            let offset = address - region.guestAddress
            let size = UInt64(region.bytes.count)
            guard offset <= size, length <= size - offset else { continue }
            return UnsafeMutableRawBufferPointer(
                rebasing: region.bytes[Int(offset)..<Int(offset + length)])
        }
        return nil
    }

    /// The bytes of a `T` at `address`, or nil unless it is naturally aligned and wholly inside
    /// one region.
    func object<T>(_ type: T.Type, at address: UInt64) -> UnsafeMutableRawBufferPointer? {
        guard address % UInt64(MemoryLayout<T>.alignment) == 0 else { return nil }
        return slice(address, UInt64(MemoryLayout<T>.size))
    }

    /// Backs [address, address + length) with host pages now, mapped writable
    /// (MADV_POPULATE_WRITE), for pages the guest is about to write (GuestLayout.pagesWrittenAtBoot).
    /// Best effort: a range outside the regions, or a kernel without MADV_POPULATE_WRITE (before
    /// 5.14), leaves the pages to be backed at the guest's first touch, as any other.
    func backNow(_ address: UInt64, _ length: UInt64) {
        guard let bytes = slice(address, length), let base = bytes.baseAddress, !bytes.isEmpty else { return }
        _ = madvise(base, bytes.count, MADV_POPULATE_WRITE)
    }

    /// Copies `bytes` to `address`; false (and nothing written) unless the range fits.
    @discardableResult
    func write(_ bytes: [UInt8], at address: UInt64) -> Bool {
        guard let target = slice(address, UInt64(bytes.count)) else { return false }
        bytes.withUnsafeBytes { target.copyMemory(from: $0) }
        return true
    }
}
