import CMewzABI
import Glibc

/// Host descriptors behind the guest's stdio.
struct HostDescriptors: Equatable {
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32
}

/// A WASI errno answered to the guest instead of a result.
struct GuestErrno: Error, Equatable {
    let code: UInt32
}

/// The hypercall dispatcher (architecture.md §7). Every argument is untrusted: an argument
/// struct must be naturally aligned and wholly inside guest memory or the VM ends; a bad
/// pointer or count inside a valid struct is answered with an errno.
struct Hypercalls {
    let memory: GuestMemory
    let descriptors: HostDescriptors
    /// Backs more of the linear-memory window on MEWZ_HC_MEMORY; nil when the module has none.
    var linearMemory: LinearMemory? = nil
    /// The host directories behind MEWZ_HC_FS; nil when the container has no volumes.
    var volumes: HostVolumes? = nil
    /// The guest's host sockets and the epoll instance polls of sockets wait in.
    var sockets = SocketTable()

    func handle(number: UInt32, argument: UInt64) -> Action {
        // The sends the guest held come before whatever it asks now (abi.h, the outbox).
        sendOutbox()
        switch number {
        case MEWZ_HC_FLUSH.rawValue: return .resume
        case MEWZ_HC_WRITE.rawValue: return write(argument)
        case MEWZ_HC_READ.rawValue: return read(argument)
        case MEWZ_HC_RANDOM.rawValue: return random(argument)
        case MEWZ_HC_MEMORY.rawValue: return backLinearMemory(argument)
        case MEWZ_HC_POLL.rawValue: return poll(argument)
        case MEWZ_HC_SOCKET.rawValue: return socket(argument)
        case MEWZ_HC_ACCEPT.rawValue: return accept(argument)
        case MEWZ_HC_RECV.rawValue: return receive(argument)
        case MEWZ_HC_SEND.rawValue: return send(argument)
        case MEWZ_HC_POLL_RECV.rawValue: return pollAndReceive(argument)
        case MEWZ_HC_EXIT.rawValue: return exit(argument)
        case MEWZ_HC_FS.rawValue: return files(argument)
        default: return .fail("guest made unknown hypercall \(number)")
        }
    }

    /// Loads the argument struct, lets `body` answer in it, and stores it back (the guest is
    /// stopped, so the copy is what the monitor checked).
    func withArgument<T>(_ type: T.Type, at address: UInt64, name: String,
                         _ body: (inout T) -> Action) -> Action {
        guard let bytes = memory.object(type, at: address) else {
            return .fail("hypercall \(name): argument at 0x\(hex(address)) is misaligned or outside guest memory")
        }
        var argument = bytes.loadUnaligned(as: type)
        let action = body(&argument)
        bytes.storeBytes(of: argument, as: type)
        return action
    }

    /// The one guest iovec at `address` as a host iovec (an empty one for length 0), or EFAULT.
    func hostVector(at address: UInt64) throws(GuestErrno) -> iovec {
        guard let entry = memory.slice(address, UInt64(MemoryLayout<mewz_hc_iovec>.size)) else {
            throw GuestErrno(code: WASIErrno.fault)
        }
        return try hostVector(entry.loadUnaligned(as: mewz_hc_iovec.self))
    }

    /// The guest's `vector` as a host iovec (an empty one for length 0), or EFAULT.
    private func hostVector(_ vector: mewz_hc_iovec) throws(GuestErrno) -> iovec {
        guard vector.len > 0 else { return iovec(iov_base: nil, iov_len: 0) }
        guard let buffer = memory.slice(vector.addr, vector.len) else { throw GuestErrno(code: WASIErrno.fault) }
        return iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
    }

    /// Host iovecs for the guest's struct mewz_hc_iovec[count] at `address`: EINVAL past
    /// MEWZ_HC_IOV_MAX, EFAULT unless the array and every non-empty buffer lie inside guest
    /// memory. Empty buffers are left out.
    func hostVectors(count: UInt32, at address: UInt64) throws(GuestErrno) -> [iovec] {
        guard count <= UInt32(MEWZ_HC_IOV_MAX) else { throw GuestErrno(code: WASIErrno.invalid) }
        let entrySize = UInt64(MemoryLayout<mewz_hc_iovec>.size)
        guard let array = memory.slice(address, UInt64(count) * entrySize) else {
            throw GuestErrno(code: WASIErrno.fault)
        }
        var vectors: [iovec] = []
        vectors.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            let vector = try hostVector(array.loadUnaligned(fromByteOffset: index * Int(entrySize), as: mewz_hc_iovec.self))
            if vector.iov_len > 0 { vectors.append(vector) }
        }
        return vectors
    }
}
