import CMewzABI
import Glibc

/// abi.h's MEWZ_SOCKOPT_* and what each is on the host. Pure.
enum SocketOption: Equatable {
    /// An int option set and read through setsockopt/getsockopt.
    case integer(level: Int32, name: Int32)
    case linger
    /// Kept by the monitor: host sockets never block, its waits apply them.
    case receiveTimeout, sendTimeout
    /// Read only.
    case type, error, acceptConnections

    /// ENOPROTOOPT for a number abi.h does not define.
    init(_ raw: UInt32) throws(GuestErrno) {
        switch raw {
        case MEWZ_SOCKOPT_REUSEADDR.rawValue: self = .integer(level: SOL_SOCKET, name: SO_REUSEADDR)
        case MEWZ_SOCKOPT_TYPE.rawValue: self = .type
        case MEWZ_SOCKOPT_ERROR.rawValue: self = .error
        case MEWZ_SOCKOPT_DONTROUTE.rawValue: self = .integer(level: SOL_SOCKET, name: SO_DONTROUTE)
        case MEWZ_SOCKOPT_BROADCAST.rawValue: self = .integer(level: SOL_SOCKET, name: SO_BROADCAST)
        case MEWZ_SOCKOPT_SNDBUF.rawValue: self = .integer(level: SOL_SOCKET, name: SO_SNDBUF)
        case MEWZ_SOCKOPT_RCVBUF.rawValue: self = .integer(level: SOL_SOCKET, name: SO_RCVBUF)
        case MEWZ_SOCKOPT_KEEPALIVE.rawValue: self = .integer(level: SOL_SOCKET, name: SO_KEEPALIVE)
        case MEWZ_SOCKOPT_OOBINLINE.rawValue: self = .integer(level: SOL_SOCKET, name: SO_OOBINLINE)
        case MEWZ_SOCKOPT_LINGER.rawValue: self = .linger
        case MEWZ_SOCKOPT_RCVLOWAT.rawValue: self = .integer(level: SOL_SOCKET, name: SO_RCVLOWAT)
        case MEWZ_SOCKOPT_RCVTIMEO.rawValue: self = .receiveTimeout
        case MEWZ_SOCKOPT_SNDTIMEO.rawValue: self = .sendTimeout
        case MEWZ_SOCKOPT_ACCEPTCONN.rawValue: self = .acceptConnections
        case MEWZ_SOCKOPT_TCP_NODELAY.rawValue: self = .integer(level: Int32(IPPROTO_TCP), name: TCP_NODELAY)
        case MEWZ_SOCKOPT_IPV6_V6ONLY.rawValue: self = .integer(level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY)
        default: throw GuestErrno(code: WASIErrno.noProtocolOption)
        }
    }

    /// The seconds and on/off of SO_LINGER packed as abi.h says (onoff << 32 | seconds).
    static func linger(packed value: UInt64) -> linger {
        Glibc.linger(l_onoff: Int32(truncatingIfNeeded: value >> 32) != 0 ? 1 : 0,
                     l_linger: Int32(clamping: value & 0xffff_ffff))
    }

    static func packed(_ linger: linger) -> UInt64 {
        (linger.l_onoff != 0 ? 1 << 32 : 0) | UInt64(UInt32(clamping: max(linger.l_linger, 0)))
    }
}
