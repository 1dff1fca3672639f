import CMewzABI

/// The boot info page (struct mewz_boot_info at MEWZ_BOOT_INFO_ADDR) and the argument and
/// environment blobs it points to.
enum BootInfo {
    /// Strings back to back, each NUL-terminated, as argv_addr and env_addr hold them; nil
    /// when a string holds a NUL (the guest could not count it) or there are more than 2^32.
    static func blob(_ strings: [String]) -> [UInt8]? {
        guard UInt32(exactly: strings.count) != nil else { return nil }
        var bytes: [UInt8] = []
        for string in strings {
            let utf8 = Array(string.utf8)
            guard !utf8.contains(0) else { return nil }
            bytes += utf8
            bytes.append(0)
        }
        return bytes
    }

    /// The boot info for `layout`, with the clocks still zero (they are written at run()).
    static func make(layout: GuestLayout, argumentCount: Int, environmentCount: Int,
                     linearMemoryBacked: UInt64, linearMemoryLimit: UInt64, cpuFeatures: UInt64, tscKHz: UInt64,
                     rofsSize: UInt64 = 0, listenerHandles: [UInt32] = []) -> mewz_boot_info {
        var info = mewz_boot_info()
        info.magic = MEWZ_BOOT_MAGIC
        info.abi_version = UInt32(MEWZ_ABI_VERSION)
        info.ram_size = layout.ramSize
        info.free_start = layout.freeStart
        info.free_end = layout.freeEnd
        info.stack_bottom = layout.stackBottom
        info.stack_top = layout.stackTop
        info.lm_backed_size = linearMemoryBacked
        info.lm_limit_size = linearMemoryLimit
        info.argv_addr = layout.argumentsAddress
        info.argv_size = layout.argumentsSize
        info.argc = UInt32(truncatingIfNeeded: argumentCount)
        info.envc = UInt32(truncatingIfNeeded: environmentCount)
        info.env_addr = layout.environmentAddress
        info.env_size = layout.environmentSize
        info.tsc_khz = tscKHz
        info.cpu_features = cpuFeatures
        info.rofs_size = rofsSize
        info.cwd_addr = layout.workingDirectorySize > 0 ? layout.workingDirectoryAddress : 0
        info.cwd_size = layout.workingDirectorySize
        info.listener_count = UInt32(min(listenerHandles.count, Int(MEWZ_LISTENERS_MAX)))
        withUnsafeMutableBytes(of: &info.listener_handles) { slots in
            for (index, handle) in listenerHandles.prefix(Int(MEWZ_LISTENERS_MAX)).enumerated() {
                slots.storeBytes(of: handle, toByteOffset: index * 4, as: UInt32.self)
            }
        }
        return info
    }

    static func bytes(of info: mewz_boot_info) -> [UInt8] {
        withUnsafeBytes(of: info) { Array($0) }
    }
}

/// The boot GDT at MEWZ_GDT_ADDR: null, 64-bit code (selector 0x08), data (selector 0x10), and
/// the busy 64-bit TSS at MEWZ_TSS_ADDR (selector 0x18, two slots) that TR holds at entry
/// (abi.h). The TSS and the IDT at MEWZ_IDT_ADDR are zero in fresh guest RAM; the guest fills
/// the IST pointers and the gates in place, so it loads no descriptor table (an emulated
/// instruction each under kvm-pvm).
enum BootGDT {
    static let codeSelector: UInt16 = 0x08
    static let dataSelector: UInt16 = 0x10
    static let tssSelector: UInt16 = 0x18
    /// 104 bytes: no I/O permission bitmap.
    static let tssLimit: UInt32 = 0x67
    static let idtLimit = UInt16(MEWZ_IDT_GATES * 16 - 1)
    static let entries: [UInt64] = [0, 0x00AF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF] + tssDescriptor(base: MEWZ_TSS_ADDR)

    static var limit: UInt16 { UInt16(entries.count * 8 - 1) }

    static var bytes: [UInt8] {
        entries.flatMap { entry in withUnsafeBytes(of: entry.littleEndian) { Array($0) } }
    }

    /// A 16-byte system descriptor: present, type 0xB (busy 64-bit TSS, as TR holds it).
    static func tssDescriptor(base: UInt64) -> [UInt64] {
        let low = UInt64(tssLimit & 0xffff) | (base & 0xff_ffff) << 16 | 0x8B << 40
            | UInt64((tssLimit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56
        return [low, base >> 32]
    }
}
