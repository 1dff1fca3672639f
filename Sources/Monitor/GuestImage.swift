import CMewzABI
import Glibc

/// What a VM boots: the unikernel ELF and, optionally, the read-only filesystem.
///
/// With `elfFile`, the ELF's PT_LOAD segments are mapped from the image file into guest RAM
/// (MAP_PRIVATE | MAP_FIXED over the anonymous RAM mapping): text and rodata stay shared page
/// cache, a data page the guest writes is copied on write by the host, .bss stays anonymous
/// zero pages. Without it they are copied from `elf` (tests, ELFs held in memory).
///
/// The ROFS is registered as its own read-only KVM slot at MEWZ_ROFS_BASE, straight from the
/// caller's read-only mapping of the image file, and mapped R NX in the page tables; the monitor
/// never reads or writes it. All the memory here must outlive the VirtualMachine.
public struct GuestImage {
    /// Where the ELF lies in an open file: `offset` is page aligned.
    public struct FileRange {
        public var fd: Int32
        public var offset: UInt64

        public init(fd: Int32, offset: UInt64) {
            self.fd = fd
            self.offset = offset
        }
    }

    /// The ELF's bytes: parsed, and copied from when there is no `elfFile`.
    public var elf: UnsafeRawBufferPointer
    public var elfFile: FileRange?
    /// Page-aligned host memory, a whole number of pages, at most MEWZ_ROFS_MAX_SIZE; nil or
    /// empty: no ROFS (boot info rofs_size 0).
    public var rofs: UnsafeRawBufferPointer?

    public init(elf: UnsafeRawBufferPointer, elfFile: FileRange? = nil, rofs: UnsafeRawBufferPointer? = nil) {
        self.elf = elf
        self.elfFile = elfFile
        self.rofs = rofs
    }

    /// The ROFS, checked: nil when absent.
    func checkedROFS() throws(MonitorError) -> UnsafeRawBufferPointer? {
        guard let rofs, !rofs.isEmpty, let base = rofs.baseAddress else { return nil }
        guard UInt(bitPattern: base) % UInt(MEWZ_PAGE_SIZE) == 0, UInt64(rofs.count) % MEWZ_PAGE_SIZE == 0 else {
            throw .badROFS("its host memory is not whole pages")
        }
        guard UInt64(rofs.count) <= MEWZ_ROFS_MAX_SIZE else {
            throw .badROFS("\(rofs.count) bytes, more than the \(MEWZ_ROFS_MAX_SIZE >> 30) GiB window")
        }
        return rofs
    }
}

/// Maps an ELF's segments from its file into guest RAM (GuestImage).
enum SegmentMapping {
    /// `ram` is guest RAM from GPA 0, page aligned; `image` was parsed against its size.
    static func map(_ image: ELFImage, from file: GuestImage.FileRange, into ram: UnsafeMutableRawBufferPointer)
        throws(MonitorError)
    {
        do {
            try image.checkMappable()
        } catch {
            throw .badImage(error)
        }
        let page = MEWZ_PAGE_SIZE
        guard file.offset % page == 0, let base = ram.baseAddress else {
            throw .badConfiguration("ELF at file offset \(file.offset), not page aligned")
        }
        for segment in image.segments where segment.fileSize > 0 {
            let start = segment.address & ~(page - 1)
            let head = segment.address - start
            let dataEnd = segment.address + segment.fileSize
            let end = alignUp(dataEnd, page)
            guard end <= UInt64(ram.count), file.offset <= UInt64(off_t.max) - segment.fileOffset else { throw .ramTooSmall }
            let target = base + Int(start)
            let mapped = Glibc.mmap(target, Int(end - start), PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, file.fd,
                                    off_t(file.offset + segment.fileOffset - head))
            guard mapped == target else { throw .imageMapping(Errno.current) }
            // The first and last pages carry file bytes outside the segment (headers, the next
            // section); the guest must see zeros there, as after a copy. Clearing them copies
            // those pages, and only when they are not zero already.
            clear(base + Int(start), count: Int(head))
            clear(base + Int(dataEnd), count: Int(end - dataEnd))
        }
    }

    private static func clear(_ start: UnsafeMutableRawPointer, count: Int) {
        guard count > 0 else { return }
        let bytes = UnsafeMutableRawBufferPointer(start: start, count: count)
        if bytes.contains(where: { $0 != 0 }) { bytes.initializeMemory(as: UInt8.self, repeating: 0) }
    }
}
