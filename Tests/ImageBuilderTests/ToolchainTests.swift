import Testing
@testable import ImageBuilder

struct ToolchainTests {
    @Test func missingClangNamesThePackagesAndTheVariable() {
        let directory = TemporaryDirectory()
        let error = buildError { () throws(ImageBuildError) in
            _ = try Toolchain.discover(environment: ["PATH": directory.path])
        }
        #expect(error?.kind == .toolMissing)
        #expect(
            error?.description
                == "clang not found: install the Debian packages clang-19 and lld-19, or set MEWZ_CC to a clang binary")
    }

    @Test func missingLinkerNamesThePackagesAndTheVariable() {
        let directory = TemporaryDirectory()
        _ = directory.file("clang", "#!/bin/sh\n", executable: true)
        let error = buildError { () throws(ImageBuildError) in
            _ = try Toolchain.discover(environment: ["PATH": directory.path])
        }
        #expect(
            error?.description
                == "ld.lld not found: install the Debian packages clang-19 and lld-19, or set MEWZ_LD to an ld.lld binary")
    }

    @Test(arguments: ["/nonexistent/clang", "no-such-clang"])
    func requestedCompilerMustExist(value: String) {
        let error = buildError { () throws(ImageBuildError) in
            _ = try Toolchain.discover(environment: ["PATH": "/nonexistent", "MEWZ_CC": value])
        }
        #expect(error?.kind == .toolMissing)
        #expect(error?.description == "MEWZ_CC=\(value) is not an executable file (point it at one, or unset it and install the Debian package clang-19)")
    }

    @Test func requestedCompilerMustBeExecutable() {
        let directory = TemporaryDirectory()
        let notExecutable = directory.file("cc", "")
        let error = buildError { () throws(ImageBuildError) in
            _ = try Toolchain.discover(environment: ["MEWZ_CC": notExecutable])
        }
        #expect(error?.description == "MEWZ_CC=\(notExecutable) is not an executable file (point it at one, or unset it and install the Debian package clang-19)")
    }

    @Test func requestedToolsWin() throws {
        let directory = TemporaryDirectory()
        let cc = directory.file("my-cc", "#!/bin/sh\n", executable: true)
        _ = directory.file("my-ld", "#!/bin/sh\n", executable: true)
        _ = directory.file("clang", "#!/bin/sh\n", executable: true)
        let toolchain = try Toolchain.discover(environment: ["PATH": directory.path, "MEWZ_CC": cc, "MEWZ_LD": "my-ld"])
        #expect(toolchain == Toolchain(compiler: cc, linker: directory.path + "/my-ld"))
    }

    /// Names are tried in order (clang before clang-21 before clang-19),
    /// each across the whole PATH; files that are not executable are skipped.
    @Test func searchOrder() throws {
        let first = TemporaryDirectory()
        let second = TemporaryDirectory()
        _ = first.file("clang-19", "#!/bin/sh\n", executable: true)
        _ = first.file("clang", "not executable")
        _ = second.file("clang-21", "#!/bin/sh\n", executable: true)
        _ = second.file("ld.lld-19", "#!/bin/sh\n", executable: true)
        let toolchain = try Toolchain.discover(environment: ["PATH": first.path + ":" + second.path])
        #expect(toolchain == Toolchain(compiler: second.path + "/clang-21", linker: second.path + "/ld.lld-19"))
    }
}
