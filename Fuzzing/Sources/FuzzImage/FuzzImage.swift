import Foundation
import ImageFormat

/// An image file as `mewz-runtime` maps it: the header and section checks
/// of ImageReader, the full content check, then the ROFS reader over the
/// section without the digest (which a mutation almost always breaks, and
/// which would hide the reader behind it) and over the whole input (for
/// bare ROFS seeds). Refusals are typed errors; nothing else may happen.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let image = try? ImageReader(bytes) {
        _ = try? image.verifyContent()
        walk(image.rofs)
    }
    walk(bytes)
    return 0
}

/// Everything a reader can be asked: the tree, the listing, each path.
private func walk(_ section: UnsafeRawBufferPointer) {
    guard let reader = try? ROFSReader(section) else { return }
    guard let tree = try? reader.tree() else { return }
    for entry in tree.listing() {
        guard let inode = try? reader.lookup(path: entry.path) else { continue }
        if let data = try? reader.contents(of: inode), let last = data.last { _ = last }
        _ = try? reader.symlinkTarget(of: inode)
    }
}

/// MEWZ_FUZZ_SEEDS=DIR: write sample images and bare ROFS sections there and exit.
@_cdecl("LLVMFuzzerInitialize")
public func initializeImage(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let directory = ProcessInfo.processInfo.environment["MEWZ_FUZZ_SEEDS"] else { return 0 }
    for (name, bytes) in ImageSeeds.all() {
        FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(bytes))
    }
    exit(0)
}
