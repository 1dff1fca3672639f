import CMewzABI

/// Wasm linear memory, backed lazily: the host range for the whole limit is reserved once (a
/// MAP_NORESERVE mapping costs nothing until touched), but KVM sees only the backed prefix, one
/// slot per growth step (LinearMemorySlots), because registering a slot costs KVM time in
/// proportion to its size. Every new slot widens linear memory's region in GuestMemory, so the
/// hypercalls' bounds checks follow.
final class LinearMemory {
    /// Registers `host` as KVM slot `slot` at `guestAddress`.
    typealias RegisterSlot = (_ slot: UInt32, _ guestAddress: UInt64,
                              _ host: UnsafeMutableRawBufferPointer) throws(MonitorError) -> Void

    private let reservation: UnsafeMutableRawBufferPointer
    private var slots: LinearMemorySlots
    private let memory: GuestMemory
    private let registerSlot: RegisterSlot

    /// `reservation` must hold at least `slots.limit` bytes and outlive this object.
    init(reservation: UnsafeMutableRawBufferPointer, slots: LinearMemorySlots, memory: GuestMemory,
         registerSlot: @escaping RegisterSlot) {
        self.reservation = reservation
        self.slots = slots
        self.memory = memory
        self.registerSlot = registerSlot
    }

    var backed: UInt64 { slots.backed }
    var limit: UInt64 { slots.limit }

    /// MEWZ_HC_MEMORY: backs at least `wanted` bytes; EINVAL beyond the limit, ENOMEM when no
    /// slot is left or KVM refuses one.
    func back(_ wanted: UInt64) throws(GuestErrno) {
        guard let slot = try slots.slot(backing: wanted) else { return }
        do {
            try register(slot)
        } catch {
            throw GuestErrno(code: WASIErrno.noMemory)
        }
    }

    /// The boot's initial slot; a failure ends the set-up with its reason.
    func backInitial(_ size: UInt64) throws(MonitorError) {
        let slot: LinearMemorySlots.Slot?
        do {
            slot = try slots.slot(backing: size)
        } catch {
            throw .badConfiguration("initial linear memory of \(size) bytes (limit \(slots.limit))")
        }
        if let slot { try register(slot) }
    }

    private func register(_ slot: LinearMemorySlots.Slot) throws(MonitorError) {
        let end = slot.offset + slot.size
        guard end <= UInt64(reservation.count) else {
            throw .badConfiguration("linear-memory slot past its reservation")
        }
        let host = UnsafeMutableRawBufferPointer(rebasing: reservation[Int(slot.offset)..<Int(end)])
        try registerSlot(slot.number, MEWZ_LM_BASE + slot.offset, host)
        slots.commit(slot)
        memory.setRegion(.init(guestAddress: MEWZ_LM_BASE,
                               bytes: UnsafeMutableRawBufferPointer(rebasing: reservation[0..<Int(end)])))
    }
}
