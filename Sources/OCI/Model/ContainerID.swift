/// Container ids as runc accepts them: `[A-Za-z0-9_+.-]+`, but not "." or "..".
public enum ContainerID {
    public static func isValid(_ id: String) -> Bool {
        guard !id.isEmpty, id != ".", id != ".." else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    static func validate(_ id: String) throws(OCIError) {
        guard isValid(id) else { throw .invalidContainerID }
    }
}
