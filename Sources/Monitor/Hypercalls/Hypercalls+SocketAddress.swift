import CMewzABI
import Glibc

/// abi.h's struct mewz_hc_sockaddr to and from the host's sockaddr_in / sockaddr_in6. Pure.
enum SocketAddress {
    /// The host address for a guest one: EAFNOSUPPORT for an unknown family, EINVAL for none.
    static func host(_ guest: mewz_hc_sockaddr) throws(GuestErrno) -> (storage: sockaddr_storage, length: socklen_t) {
        var storage = sockaddr_storage()
        var bytes = guest.addr
        switch Int32(guest.family) {
        case MEWZ_SOCK_AF_INET:
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = guest.port.bigEndian
            withUnsafeBytes(of: &bytes) { source in
                withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<4])) }
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
        case MEWZ_SOCK_AF_INET6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = guest.port.bigEndian
            address.sin6_scope_id = guest.scope_id
            withUnsafeBytes(of: &bytes) { source in
                withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyMemory(from: source) }
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
        case 0:
            throw GuestErrno(code: WASIErrno.invalid)
        default:
            throw GuestErrno(code: WASIErrno.familyNotSupported)
        }
    }

    /// The guest address for a host one; family 0 for anything but IPv4 and IPv6.
    static func guest(_ storage: sockaddr_storage) -> mewz_hc_sockaddr {
        var result = mewz_hc_sockaddr()
        let family = Int32(storage.ss_family)
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET:
                let address = raw.loadUnaligned(as: sockaddr_in.self)
                result.family = UInt16(MEWZ_SOCK_AF_INET)
                result.port = UInt16(bigEndian: address.sin_port)
                withUnsafeMutableBytes(of: &result.addr) { target in
                    withUnsafeBytes(of: address.sin_addr) { target.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 4) }
                }
            case AF_INET6:
                let address = raw.loadUnaligned(as: sockaddr_in6.self)
                result.family = UInt16(MEWZ_SOCK_AF_INET6)
                result.port = UInt16(bigEndian: address.sin6_port)
                result.scope_id = address.sin6_scope_id
                withUnsafeMutableBytes(of: &result.addr) { target in
                    withUnsafeBytes(of: address.sin6_addr) { target.copyMemory(from: $0) }
                }
            default:
                break
            }
        }
        return result
    }
}
