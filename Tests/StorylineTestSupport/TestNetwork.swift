import Foundation
import XCTest

/// A test host of the tests' own: a network namespace joined to this one by a veth pair, both
/// ends on loopback-range addresses (127.77.N.1 here, 127.77.N.2 there; `route_localnet` lets
/// 127/8 cross the link). A process started with ``command(_:)`` runs "on another machine", and
/// ``cut()``/``restore()`` pull and replug its cable. Needs root (CAP_NET_ADMIN); skips otherwise.
public final class TestNetwork {
    public let namespace: String
    let hostInterface: String
    public let hostAddress: String
    public let remoteAddress: String

    public init() throws {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root: skipping the network-cut test") }
        let n = Int(getpid()) % 200 + 20
        namespace = "storyline-net-\(n)"
        hostInterface = "slh\(n)"
        hostAddress = "127.77.\(n).1"
        remoteAddress = "127.77.\(n).2"
        let remote = "slw\(n)"
        _ = try? Self.ip(["netns", "del", namespace])
        _ = try? Self.ip(["link", "del", hostInterface])
        do {
            try Self.ip(["netns", "add", namespace])
        } catch {
            throw XCTSkip("cannot make a network namespace here (\(error)): skipping the network-cut test")
        }
        try Self.ip(["link", "add", hostInterface, "type", "veth", "peer", "name", remote])
        try Self.ip(["link", "set", remote, "netns", namespace])
        try Self.ip(["addr", "add", "\(hostAddress)/24", "dev", hostInterface])
        try Self.ip(["link", "set", hostInterface, "up"])
        try Self.run("/usr/sbin/sysctl", ["-qw", "net.ipv4.conf.all.route_localnet=1", "net.ipv4.conf.\(hostInterface).route_localnet=1"])
        for command in [["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", "\(remoteAddress)/24", "dev", remote], ["ip", "link", "set", remote, "up"],
                        ["sysctl", "-qw", "net.ipv4.conf.all.route_localnet=1", "net.ipv4.conf.\(remote).route_localnet=1"]] {
            try Self.ip(["netns", "exec", namespace] + command)
        }
    }

    deinit {
        _ = try? Self.ip(["netns", "del", namespace])
        _ = try? Self.ip(["link", "del", hostInterface])
    }

    /// `command` run inside the namespace.
    public func command(_ command: [String]) -> [String] { ["/usr/sbin/ip", "netns", "exec", namespace] + command }

    /// Pulls the cable: packets between the namespace and this host are lost (connections stay open).
    public func cut() throws { try Self.ip(["link", "set", hostInterface, "down"]) }

    /// Plugs it back in.
    public func restore() throws { try Self.ip(["link", "set", hostInterface, "up"]) }

    @discardableResult
    static func ip(_ arguments: [String]) throws -> String { try run("/usr/sbin/ip", arguments) }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw TestPostgresError("\(executable) \(arguments.joined(separator: " ")): \(text)") }
        return text
    }
}
