import Testing
@testable import ImageBuilder

struct BuildConfigurationTests {
    @Test(arguments: [
        (["MEWZ_CACHE_DIR": "/c", "HOME": "/h"], true, "/c"),
        (["HOME": "/h"], true, "/var/cache/mewz-runtime"),
        (["HOME": "/h", "XDG_CACHE_HOME": "/x"], false, "/x/mewz-runtime"),
        (["HOME": "/h", "XDG_CACHE_HOME": "relative"], false, "/h/.cache/mewz-runtime"),
        (["HOME": "/h"], false, "/h/.cache/mewz-runtime"),
        (["MEWZ_CACHE_DIR": "", "HOME": "/h"], false, "/h/.cache/mewz-runtime"),
    ])
    func cacheDirectory(environment: [String: String], isRoot: Bool, expected: String) throws {
        #expect(try BuildConfiguration.cacheDirectory(environment: environment, isRoot: isRoot) == expected)
    }

    @Test func noHomeAndNoOverrideIsAnError() {
        let error = buildError { () throws(ImageBuildError) in
            _ = try BuildConfiguration.cacheDirectory(environment: [:], isRoot: false)
        }
        #expect(error?.kind == .cache)
        #expect(error?.description.contains("MEWZ_CACHE_DIR") == true)
    }

    @Test func guestFromEnvironment() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("g/libmewz_guest.a", "")
        let found = try BuildConfiguration.guestDirectory(
            executablePath: "/nowhere/bin/mewz-runtime", environment: ["MEWZ_GUEST": directory.path + "/g"])
        #expect(found == directory.path + "/g")
    }

    @Test func guestFromEnvironmentMustHaveTheLibrary() {
        let directory = TemporaryDirectory()
        let error = buildError { () throws(ImageBuildError) in
            _ = try BuildConfiguration.guestDirectory(
                executablePath: directory.path + "/bin/mewz-runtime", environment: ["MEWZ_GUEST": directory.path])
        }
        #expect(error?.kind == .guestMissing)
        #expect(error?.description.contains("\(directory.path) (MEWZ_GUEST)") == true)
    }

    @Test(arguments: ["lib/mewz-runtime", "bin/mewz-guest"])
    func guestBesideTheExecutable(layout: String) throws {
        let directory = TemporaryDirectory()
        _ = directory.file("bin/mewz-runtime", "", executable: true)
        _ = directory.file(layout + "/libmewz_guest.a", "")
        let found = try BuildConfiguration.guestDirectory(
            executablePath: directory.path + "/bin/mewz-runtime", environment: [:])
        let expected = layout.hasPrefix("lib") ? directory.path + "/bin/../lib/mewz-runtime" : directory.path + "/bin/mewz-guest"
        #expect(found == expected)
    }

    @Test func guestMissingNamesEverySearchedPlace() {
        let directory = TemporaryDirectory()
        let error = buildError { () throws(ImageBuildError) in
            _ = try BuildConfiguration.resolve(
                executablePath: directory.path + "/bin/mewz-runtime", environment: ["HOME": "/h"])
        }
        #expect(error?.kind == .guestMissing)
        #expect(
            error?.description
                == "guest library libmewz_guest.a not found (searched \(directory.path)/bin/../lib/mewz-runtime, "
                + "\(directory.path)/bin/mewz-guest); set MEWZ_GUEST to its directory")
    }

    @Test func resolveKeepsTheEnvironment() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("bin/mewz-runtime", "", executable: true)
        _ = directory.file("lib/mewz-runtime/libmewz_guest.a", "")
        let environment = ["MEWZ_CACHE_DIR": "/c", "MEWZ_CC": "clang-19"]
        let configuration = try BuildConfiguration.resolve(
            executablePath: directory.path + "/bin/mewz-runtime", environment: environment)
        #expect(configuration.cacheDirectory == "/c")
        #expect(configuration.environment == environment)
        #expect((1...8).contains(configuration.translationUnits))
    }
}
