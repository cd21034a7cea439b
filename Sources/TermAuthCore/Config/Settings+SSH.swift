extension Settings {
    /// The SSH front end of `termauth serve` (`[ssh]`): off unless a port is set.
    public struct SSH: Sendable, Equatable {
        /// 0 picks a free port; nil leaves SSH off.
        public var port: Int?
        /// The server's ed25519 host key; by default beside the SQLite database, or beside the
        /// approval key file with PostgreSQL.
        public var hostKeyFile: String?
        /// "HOST:PORT" people reach the SSH server by, for the command the web pages show.
        public var publicAddress: String?
        public var maxSessions = 64
        public var maxSessionsPerSource = 8
        /// Authentication requests one connection may make before it is closed. Every key a
        /// client offers counts (a bare "would you take this key?" too), so an agent holding a
        /// dozen keys still reaches the right one.
        public var maxAuthAttempts = 20
        /// Time from connecting to a signed-in session.
        public var signInSeconds = 60
        /// A session that receives nothing for this long is closed.
        public var idleTimeoutSeconds = 300
        public var maxSessionSeconds = 3600
        public init() {}

        /// The command a person types to reach the screens: `ssh -p PORT HOST`.
        public func command(listeningHost: String, port: Int) -> String {
            var host = listeningHost
            var shownPort = port
            if let publicAddress {
                // "host:port", "[v6]:port", or a host alone (an IPv6 address alone has several colons).
                let bracketed = publicAddress.hasPrefix("[")
                let singleColon = publicAddress.filter { $0 == ":" }.count == 1
                if bracketed || singleColon, let colon = publicAddress.lastIndex(of: ":"), !publicAddress[colon...].contains("]"),
                    let p = Int(publicAddress[publicAddress.index(after: colon)...])
                {
                    host = String(publicAddress[..<colon])
                    shownPort = p
                } else {
                    host = publicAddress
                }
            }
            host = host.trimmingCharacters(in: ["[", "]"])
            return shownPort == 22 ? "ssh \(host)" : "ssh -p \(shownPort) \(host)"
        }
    }
}
