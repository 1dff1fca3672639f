import Foundation
import Glibc
import CKVM
import Testing
@testable import Monitor

/// HostVolumes' path handling without a VM: the split into parent and name, and resolution
/// that never leaves the starting directory.
@Suite struct HostVolumesTests {
    @Test(arguments: [
        ("a", ".", "a"), ("a/b/c", "a/b", "c"), ("a/b/", "a", "b/"), ("a//b", "a", "b"),
        ("a/b//", "a", "b/"), (".", ".", "."), ("a/..", "a", ".."), ("a/b/c/", "a/b", "c/"),
    ])
    func splitsParentAndName(path: String, directory: String, last: String) {
        let split = HostVolumes.split(path)
        #expect(split.directory == directory && split.last == last)
    }

    func withTree(_ body: (Int32, String) throws -> Void) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-hv-\(UUID().uuidString)").path
        let root = base + "/root"
        try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        try "outside".write(toFile: base + "/secret", atomically: true, encoding: .utf8)
        try "inside".write(toFile: root + "/dir/file", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/rel", withDestinationPath: "../secret")
        try FileManager.default.createSymbolicLink(atPath: root + "/abs", withDestinationPath: base + "/secret")
        try FileManager.default.createSymbolicLink(atPath: root + "/inner", withDestinationPath: "dir/file")
        try FileManager.default.createSymbolicLink(atPath: root + "/loop", withDestinationPath: "loop")
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer {
            close(fd)
            try? FileManager.default.removeItem(atPath: base)
        }
        try body(fd, root)
    }

    @Test(arguments: ["../secret", "rel", "abs", "dir/../../secret", "/etc/passwd", "dir/../rel"])
    func escapesAreNotCapable(path: String) throws {
        try withTree { root, _ in
            #expect(throws: GuestErrno(code: WASIErrno.notCapable)) { try HostVolumes.openBeneath(root, path, O_RDONLY) }
        }
    }

    /// A NUL ends the kernel's path where the checks of the whole string do not look: "..\0x"
    /// is not ".." to them and is ".." to openat. (The arguments write the NUL as "@": a NUL in
    /// a test's name would make its log binary to grep.)
    @Test(arguments: ["..@x", "dir/..@x", "a@/../..", "@"])
    func namesWithANulAreRefused(template: String) throws {
        let path = template.replacingOccurrences(of: "@", with: "\0")
        try withTree { root, _ in
            #expect(throws: GuestErrno(code: WASIErrno.invalid)) { try HostVolumes.openBeneath(root, path, O_RDONLY) }
            #expect(throws: GuestErrno(code: WASIErrno.invalid)) { try HostVolumes.openByWalk(root, path, O_RDONLY) }
            #expect(throws: GuestErrno(code: WASIErrno.invalid)) {
                _ = try HostVolumes.parent(of: path, beneath: root, follow: false)
            }
        }
    }

    @Test func followsLinksInsideAndStopsLoops() throws {
        try withTree { root, _ in
            let (parent, last) = try HostVolumes.parent(of: "inner", beneath: root, follow: true)
            defer { close(parent) }
            #expect(last == "file")
            #expect(throws: GuestErrno(code: WASIErrno.loop)) {
                _ = try HostVolumes.parent(of: "loop", beneath: root, follow: true)
            }
            #expect(throws: GuestErrno(code: WASIErrno.notCapable)) {
                _ = try HostVolumes.parent(of: "rel", beneath: root, follow: true)
            }
            #expect(throws: GuestErrno(code: WASIErrno.notCapable)) {
                _ = try HostVolumes.parent(of: "..", beneath: root, follow: false)
            }
            let (unfollowed, name) = try HostVolumes.parent(of: "rel", beneath: root, follow: false)
            close(unfollowed)
            #expect(name == "rel")
        }
    }

    @Test func rootsAreOpenedAndBadSourcesRefused() throws {
        try withTree { _, root in
            let volumes = try HostVolumes([
                Volume(destination: "/data", backing: .hostDirectory(source: root), readOnly: true),
                Volume(destination: "/tmp", backing: .tmpfs(size: 1 << 20), readOnly: false),
            ])
            let handle = try volumes.directory(0)
            #expect(handle.isDirectory && handle.mount == 0)
            #expect(throws: GuestErrno(code: WASIErrno.readOnlyFilesystem)) { try volumes.writable(handle) }
            #expect(throws: GuestErrno(code: WASIErrno.badDescriptor)) { try volumes.handle(1) }
            #expect(throws: GuestErrno(code: WASIErrno.badDescriptor)) { try volumes.handle(99) }
            #expect(throws: MonitorError.self) {
                try HostVolumes([Volume(destination: "/d", backing: .hostDirectory(source: root + "/dir/file"), readOnly: false)])
            }
        }
    }

    /// The O_NOFOLLOW walk for kernels without openat2 refuses the same escapes.
    @Test(arguments: ["../secret", "rel", "abs", "dir/../../secret", "/etc/passwd", "dir/../rel", "up/secret"])
    func walkRefusesEscapes(path: String) throws {
        try withTree { root, base in
            try FileManager.default.createSymbolicLink(atPath: base + "/up", withDestinationPath: "..")
            #expect(throws: GuestErrno(code: WASIErrno.notCapable)) { try HostVolumes.openByWalk(root, path, O_RDONLY) }
        }
    }

    @Test func walkOpensWhatOpenat2Opens() throws {
        try withTree { root, _ in
            for (path, flags) in [("dir/file", O_RDONLY), ("inner", O_RDONLY), ("dir/../dir/file", O_RDONLY),
                                  ("dir/", O_RDONLY | O_DIRECTORY), (".", O_RDONLY | O_DIRECTORY), ("inner", O_RDONLY | CKVM_O_PATH | O_NOFOLLOW)] {
                let walked = try HostVolumes.openByWalk(root, path, flags)
                let kernel = try HostVolumes.openBeneath(root, path, flags)
                var a = stat(), b = stat()
                #expect(fstat(walked, &a) == 0 && fstat(kernel, &b) == 0)
                #expect(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "\(path)")
                close(walked)
                close(kernel)
            }
            #expect(throws: GuestErrno(code: WASIErrno.loop)) { try HostVolumes.openByWalk(root, "loop", O_RDONLY) }
            #expect(throws: GuestErrno(code: WASIErrno.loop)) { try HostVolumes.openByWalk(root, "inner", O_RDONLY | O_NOFOLLOW) }
            #expect(throws: GuestErrno(code: WASIErrno.noEntry)) { try HostVolumes.openByWalk(root, "dir/none", O_RDONLY) }
            #expect(throws: GuestErrno(code: WASIErrno.notDirectory)) { try HostVolumes.openByWalk(root, "dir/file/x", O_RDONLY) }
            let created = try HostVolumes.openByWalk(root, "dir/new", O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            close(created)
            #expect(throws: GuestErrno(code: WASIErrno.exists)) {
                try HostVolumes.openByWalk(root, "dir/new", O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            }
        }
    }
}
